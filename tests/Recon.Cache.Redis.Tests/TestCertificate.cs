using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Recon.Cache.Redis.Tests;

/// <summary>A self-signed server certificate for "localhost" / 127.0.0.1, written as PEM files redis-server can load.</summary>
public sealed class TestCertificate : IDisposable
{
    public TestCertificate(string folder, string subjectName = "localhost")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subjectName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(subjectName);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var withKey = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        CertificateFile = Path.Combine(folder, "redis.crt");
        KeyFile = Path.Combine(folder, "redis.key");
        File.WriteAllText(CertificateFile, withKey.ExportCertificatePem());
        File.WriteAllText(KeyFile, key.ExportPkcs8PrivateKeyPem());
        Certificate = X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    public string CertificateFile { get; }

    public string KeyFile { get; }

    /// <summary>The public certificate, to be trusted by the client as its CA.</summary>
    public X509Certificate2 Certificate { get; }

    public void Dispose() => Certificate.Dispose();
}
