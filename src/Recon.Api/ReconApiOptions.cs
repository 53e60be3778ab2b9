namespace Recon.Api;

/// <summary>How <c>recon serve</c> runs: where it listens, whether it ingests, and how callers authenticate.</summary>
public sealed record ReconApiOptions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Addresses to listen on (Kestrel URLs; port 0 picks a free port).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>Run the ingest loop (the <c>recon run --watch</c> work); false serves reads only.</summary>
    public bool Ingest { get; init; } = true;

    /// <summary>Time between inbox scans of the ingest loop; a batch POSTed to the API wakes it at once.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Folder of the workflow definitions (default: the workflows/ installed with recon).</summary>
    public string? WorkflowsDirectory { get; init; }

    /// <summary>PEM certificate and key: serve HTTPS on every URL that asks for it.</summary>
    public string? TlsCertificateFile { get; init; }

    public string? TlsKeyFile { get; init; }

    /// <summary>OIDC issuer: JWT bearer tokens signed by it (keys from its JWKS) are accepted besides Recon tokens.</summary>
    public string? OidcAuthority { get; init; }

    public string? OidcAudience { get; init; }

    /// <summary>The largest body POST /api/batches accepts, in bytes.</summary>
    public long MaxBatchBytes { get; init; } = 64L << 20;

    /// <summary>
    /// How long a validated Recon token is remembered before the store is asked again: a revocation or expiry takes
    /// effect within this time.
    /// </summary>
    public TimeSpan TokenCacheDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An authentication scheme (e.g. a cookie scheme added by the pages) that requests without an Authorization
    /// header are forwarded to; null: such requests are anonymous and /api answers 401.
    /// </summary>
    public string? BrowserScheme { get; init; }

    public void Validate()
    {
        if (Urls.Count == 0)
        {
            throw new Core.ReconException("recon serve needs at least one URL to listen on (--urls).");
        }

        if (Poll <= TimeSpan.Zero)
        {
            throw new Core.ReconException($"--poll must be positive (got {Poll.TotalSeconds} s).");
        }

        if ((TlsCertificateFile is null) != (TlsKeyFile is null))
        {
            throw new Core.ReconException("--tls-cert and --tls-key go together: pass both PEM files, or neither.");
        }

        if ((OidcAuthority is null) != (OidcAudience is null))
        {
            throw new Core.ReconException("--oidc-authority and --oidc-audience go together: pass both, or neither.");
        }

        if (MaxBatchBytes <= 0)
        {
            throw new Core.ReconException("the batch body limit must be positive.");
        }
    }

}
