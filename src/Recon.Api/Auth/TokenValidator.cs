using System.Collections.Concurrent;
using System.Globalization;
using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Api.Auth;

/// <summary>
/// Checks a presented Recon token against the access store. Found tokens are remembered for
/// <see cref="ReconApiOptions.TokenCacheDuration"/> (keyed by hash, never by the token); expiry is checked on every
/// request, revocation within the cache duration.
/// </summary>
internal sealed class TokenValidator(IAccessStore store, TimeProvider time, ReconApiOptions options)
{
    private const int MaxCached = 10_000;
    private readonly ConcurrentDictionary<string, (AccessTokenRecord? Token, DateTimeOffset At)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<(AccessTokenRecord? Token, string? Problem)> ValidateAsync(string presented, CancellationToken ct)
    {
        byte[] hash = AccessTokens.Hash(presented);
        string key = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        AccessTokenRecord? token;
        if (_cache.TryGetValue(key, out var cached) && now - cached.At < options.TokenCacheDuration)
        {
            token = cached.Token;
        }
        else
        {
            token = await store.FindTokenAsync(hash, ct).ConfigureAwait(false);
            if (_cache.Count >= MaxCached)
            {
                _cache.Clear();
            }

            _cache[key] = (token, now);
        }

        if (token is null)
        {
            return (null, "the bearer token is not a known Recon token; 'recon tokens create' makes one");
        }

        if (token.RevokedAt is { } revoked)
        {
            return (null, $"the token '{token.Name}' was revoked at {IsoTime.Format(revoked)}");
        }

        if (token.ExpiresAt is { } expires && expires <= now)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"the token '{token.Name}' expired at {IsoTime.Format(expires)}"));
        }

        return (token, null);
    }

    /// <summary>Forgets every remembered token (after a revocation through this host).</summary>
    public void Forget() => _cache.Clear();
}
