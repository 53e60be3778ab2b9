namespace Recon.Testing.Servers;

/// <summary>redis-server on a free loopback port: no persistence, its own folder; extra arguments for AUTH/ACL/TLS tests.</summary>
public sealed class RedisServer : ServerProcess
{
    private RedisServer(int port, TempFolder folder, IEnumerable<string> arguments)
        : base("redis-server", ToolPaths.OnPath("redis-server"), arguments, port, folder)
    {
    }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static RedisServer Start(params string[] extraArguments) => StartOnPort(FreePort(), extraArguments);

    /// <summary>Starts redis on a given port, e.g. again on the port of a killed server to test that clients reconnect.</summary>
    public static RedisServer StartOnPort(int port, params string[] extraArguments)
    {
        var folder = new TempFolder();
        string[] arguments = ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", folder.Path, .. extraArguments];
        return new RedisServer(port, folder, arguments);
    }

    /// <summary>Starts TLS-only redis: <paramref name="tlsArguments"/> carries --tls-cert-file etc.; the plain port is disabled.</summary>
    public static RedisServer StartTls(params string[] tlsArguments)
    {
        var port = FreePort();
        var folder = new TempFolder();
        string[] arguments = ["--port", "0", "--tls-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", folder.Path, .. tlsArguments];
        return new RedisServer(port, folder, arguments);
    }
}

/// <summary>s3rver (npm, pinned in tools/) on a free loopback port with its own data folder. Credentials S3RVER / S3RVER.</summary>
public sealed class S3rverServer : ServerProcess
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private S3rverServer(int port, TempFolder folder)
        : base("s3rver", ToolPaths.NodeBin("s3rver"),
            ["-d", folder.Path, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"], port, folder,
            // s3rver encrypts ListObjectsV2 continuation tokens with DES, which Node 17+ (OpenSSL 3) only has in its
            // legacy provider: without it every truncated listing page is an HTTP 500.
            new Dictionary<string, string> { ["NODE_OPTIONS"] = "--openssl-legacy-provider" })
    {
    }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    public static S3rverServer Start() => new(FreePort(), new TempFolder());
}

/// <summary>dynalite (npm, pinned in tools/) on a free loopback port, in memory; tables become ACTIVE after 1 ms instead of 500.</summary>
public sealed class DynaliteServer : ServerProcess
{
    private DynaliteServer(int port, TempFolder folder)
        : base("dynalite", ToolPaths.NodeBin("dynalite"),
            ["--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--createTableMs", "1", "--deleteTableMs", "1", "--updateTableMs", "1"], port, folder)
    {
    }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    public static DynaliteServer Start() => new(FreePort(), new TempFolder());
}

/// <summary>local-aws-sqs (npm, pinned in tools/, started by tools/sqs-server.js) on a free loopback port, in memory; any credentials.</summary>
public sealed class SqsServer : ServerProcess
{
    private SqsServer(int port, TempFolder folder)
        : base("local-aws-sqs", ToolPaths.OnPath("node"),
            [ToolPaths.NodeScript("sqs-server.js", "local-aws-sqs"), port.ToString(System.Globalization.CultureInfo.InvariantCulture)], port, folder)
    {
    }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    public static SqsServer Start() => new(FreePort(), new TempFolder());
}

/// <summary>One of each server per test process, started on first use and killed when the process exits.</summary>
public static class SharedServers
{
    private static readonly Lazy<RedisServer> LazyRedis = new(() => Track(RedisServer.Start()));
    private static readonly Lazy<S3rverServer> LazyS3 = new(() => Track(S3rverServer.Start()));
    private static readonly Lazy<DynaliteServer> LazyDynamo = new(() => Track(DynaliteServer.Start()));
    private static readonly Lazy<SqsServer> LazySqs = new(() => Track(SqsServer.Start()));

    public static RedisServer Redis => LazyRedis.Value;

    public static S3rverServer S3 => LazyS3.Value;

    public static DynaliteServer Dynamo => LazyDynamo.Value;

    public static SqsServer Sqs => LazySqs.Value;

    private static T Track<T>(T server)
        where T : ServerProcess
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    }
}
