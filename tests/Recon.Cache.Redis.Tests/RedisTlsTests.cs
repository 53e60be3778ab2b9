using System.Net.Security;
using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Servers;
using StackExchange.Redis;

namespace Recon.Cache.Redis.Tests;

/// <summary>TLS-only redis-server (plain port off) with a self-signed CA certificate made by the fixture.</summary>
public sealed class TlsRedisFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public TlsRedisFixture()
    {
        Certificate = new TestCertificate(_folder.Path);
        Server = RedisServer.StartTls(
            "--tls-cert-file", Certificate.CertificateFile,
            "--tls-key-file", Certificate.KeyFile,
            "--tls-ca-cert-file", Certificate.CertificateFile,
            "--tls-auth-clients", "no");
    }

    public TestCertificate Certificate { get; }

    public RedisServer Server { get; }

    public void Dispose()
    {
        Server.Dispose();
        Certificate.Dispose();
        _folder.Dispose();
    }
}

public sealed class RedisTlsTests(TlsRedisFixture fixture) : IClassFixture<TlsRedisFixture>
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Tls_WithTheServersCaTrusted_CarriesBinaryValues()
    {
        var options = Tls();
        options.TrustIssuer(fixture.Certificate.CertificateFile);
        using var cache = Cache(options);
        var big = new byte[300_000];
        new Random(7).NextBytes(big);

        await cache.SetManyAsync([new(new("big", 1), big), new(new("small", 1), [1, 2])], Ct);
        var into = new byte[]?[3];
        await cache.GetManyAsync([new("small", 1), new("big", 1), new("none", 1)], into, Ct);

        Assert.Equal([1, 2], into[0]);
        Assert.Equal(big, into[1]);
        Assert.Null(into[2]);
        Assert.Equal(0, cache.Stats.Errors);
    }

    [Fact]
    public async Task Tls_WithoutTrustingTheCertificate_NeverConnectsAndCallsAreCountedErrors()
    {
        using var cache = Cache(Tls());

        var into = new byte[]?[] { [9] };
        await cache.GetManyAsync([new("k", 1)], into, Ct);

        Assert.Null(into[0]);
        Assert.Equal(1, cache.Stats.Errors);
    }

    [Fact]
    public async Task Tls_WithAServerNameTheCertificateDoesNotCarry_FailsEvenWithTheCaTrusted()
    {
        var options = Tls("other.example");
        options.TrustIssuer(fixture.Certificate.CertificateFile);
        using var cache = Cache(options);

        await cache.GetManyAsync([new("k", 1)], new byte[]?[1], Ct);

        Assert.Equal(1, cache.Stats.Errors);
    }

    [Fact]
    public async Task Tls_WithACustomValidationCallback_UsesIt()
    {
        string? seenSubject = null;
        var options = Tls();
        options.CertificateValidation += (_, certificate, _, errors) =>
        {
            seenSubject = certificate?.Subject;
            return errors == SslPolicyErrors.RemoteCertificateChainErrors;
        };
        using var cache = Cache(options);

        await cache.SetManyAsync([new(new("k", 1), [5])], Ct);

        Assert.Equal(0, cache.Stats.Errors);
        Assert.Equal("CN=localhost", seenSubject);
    }

    [Fact]
    public async Task PlainTcp_ToATlsPort_IsACountedErrorWithinTheTimeout()
    {
        using var cache = Cache(RedisConfiguration.Parse($"{fixture.Server.Endpoint},connectTimeout=500"));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await cache.GetManyAsync([new("k", 1)], new byte[]?[1], Ct);

        Assert.Equal(1, cache.Stats.Errors);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    private ConfigurationOptions Tls(string sslHost = "localhost") =>
        RedisConfiguration.Parse($"{fixture.Server.Endpoint},ssl=true,sslHost={sslHost},connectTimeout=2000");

    private static RedisArtifactCache Cache(ConfigurationOptions options) =>
        new(options, new RedisArtifactCacheOptions { KeyPrefix = "tls:", Timeout = TimeSpan.FromSeconds(3) });
}
