using System.Globalization;
using Recon.Testing;
using Recon.Testing.Servers;

namespace Recon.Pages.Tests;

/// <summary><c>recon serve</c> as its own process (the real Kestrel host) on a free loopback port, on a real data folder.</summary>
internal sealed class ReconServeProcess : ServerProcess
{
    private ReconServeProcess(int port, string dataDir, bool ingest)
        : base("recon serve", DotnetHost(), Arguments(port, dataDir, ingest), port, new TempFolder())
    {
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public string BaseUrl { get; }

    public static ReconServeProcess Start(string dataDir, bool ingest) => new(FreePort(), dataDir, ingest);

    private static IEnumerable<string> Arguments(int port, string dataDir, bool ingest)
    {
        var args = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "recon.dll"), "serve",
            "--urls", "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            "--data", dataDir,
            "--poll", "1",
        };
        if (!ingest)
        {
            args.Add("--no-ingest");
        }

        return args;
    }

    /// <summary>The dotnet host running the tests (the SDK sets DOTNET_HOST_PATH), else dotnet on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : ToolPaths.OnPath("dotnet");
}
