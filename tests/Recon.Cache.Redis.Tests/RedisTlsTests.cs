using System.Net.Security;
using Recon.Cache.Redis;
using Recon.Testing;
using Recon.Testing.Servers;

namespace Recon.Cache.Redis.Tests;

/// <summary>TLS-only redis-server (plain port off) with a self-signed certificate made by the fixture.</summary>
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

    private RedisConnectionOptions Tls(string extra = "") =>
        RedisConnectionOptions.Parse($"{fixture.Server.Endpoint},ssl=true,sslHost=localhost,connectTimeout=3000{extra}");

    [Fact]
    public async Task Tls_WithTheServersCaTrusted_CarriesCommandsAndBinaryValues()
    {
        using var client = new RedisClient(Tls() with { TrustedCertificateAuthority = fixture.Certificate.Certificate });
        var big = new byte[300_000];
        new Random(7).NextBytes(big);

        await client.SetManyAsync([new("tls:big", big), new("tls:small", [1, 2])], TimeSpan.FromMinutes(1), Ct);
        var into = new byte[]?[3];
        await client.GetManyAsync(["tls:small", "tls:big", "tls:none"], into, Ct);

        Assert.Equal([1, 2], into[0]);
        Assert.Equal(big, into[1]);
        Assert.Null(into[2]);
        var info = (await client.ExecuteAsync(["INFO", "server"], Ct)).ToString();
        Assert.Contains("redis_version:7.", info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_WithoutTrustingTheCertificate_FailsTheHandshake()
    {
        using var client = new RedisClient(Tls());

        var error = await Assert.ThrowsAsync<RedisException>(async () => await client.ExecuteAsync(["PING"], Ct));

        Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_WithAServerNameTheCertificateDoesNotCarry_FailsEvenWithTheCaTrusted()
    {
        using var client = new RedisClient(Tls() with
        {
            SslHost = "other.example",
            TrustedCertificateAuthority = fixture.Certificate.Certificate,
        });

        var error = await Assert.ThrowsAsync<RedisException>(async () => await client.ExecuteAsync(["PING"], Ct));

        Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_WithACustomValidationCallback_UsesIt()
    {
        string? seenSubject = null;
        using var client = new RedisClient(Tls() with
        {
            CertificateValidation = (_, certificate, _, errors) =>
            {
                seenSubject = certificate?.Subject;
                return errors == SslPolicyErrors.RemoteCertificateChainErrors;
            },
        });

        Assert.Equal("PONG", (await client.ExecuteAsync(["PING"], Ct)).Text);
        Assert.Equal("CN=localhost", seenSubject);
    }

    [Fact]
    public async Task PlainTcp_ToATlsPort_FailsWithinTheTimeouts()
    {
        using var client = new RedisClient($"{fixture.Server.Endpoint},connectTimeout=500,syncTimeout=500");

        await Assert.ThrowsAnyAsync<RedisException>(async () => await client.ExecuteAsync(["PING"], Ct));
    }
}
