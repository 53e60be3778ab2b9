using Recon.Core.Ports;

namespace Recon.Cache.Redis;

/// <summary>
/// The artifact cache on redis (ElastiCache): versioned keys with a TTL, large values skipped, multi-key calls split
/// into pipelines that run concurrently on pooled connections. A cache that is down or slow never fails the caller:
/// reads return misses and writes are dropped, counted in <see cref="Stats"/>; after a failure the cache stays out of
/// the way for <see cref="RedisArtifactCacheOptions.Cooldown"/>, then one call probes redis again.
/// </summary>
public sealed class RedisArtifactCache : IArtifactCache, IDisposable, IAsyncDisposable
{
    private const long Closed = long.MinValue;

    private readonly RedisClient _client;
    private readonly bool _ownsClient;
    private readonly ArtifactKeyEncoder _encoder;
    private readonly TimeProvider _time;
    private long _openUntilTicks = Closed;
    private int _probing;
    private long _hits;
    private long _misses;
    private long _errors;
    private long _skippedTooLarge;
    private long _bypassed;

    /// <summary>Creates a cache with its own connection pool, closed on dispose.</summary>
    public RedisArtifactCache(RedisConnectionOptions connection, RedisArtifactCacheOptions? options = null, TimeProvider? time = null)
        : this(new RedisClient(connection), ownsClient: true, options, time)
    {
    }

    /// <summary>Creates a cache on a shared client, which the caller keeps and disposes.</summary>
    public RedisArtifactCache(RedisClient client, RedisArtifactCacheOptions? options = null, TimeProvider? time = null)
        : this(client, ownsClient: false, options, time)
    {
    }

    private RedisArtifactCache(RedisClient client, bool ownsClient, RedisArtifactCacheOptions? options, TimeProvider? time)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
        Options = options ?? new RedisArtifactCacheOptions();
        _time = time ?? TimeProvider.System;
        _encoder = new ArtifactKeyEncoder(Options.KeyPrefix);
    }

    public RedisArtifactCacheOptions Options { get; }

    public RedisClient Client => _client;

    public RedisCacheStats Stats => new(
        Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _errors),
        Interlocked.Read(ref _skippedTooLarge), Interlocked.Read(ref _bypassed));

    /// <summary>True while the cache is backing off after a failure.</summary>
    public bool IsBackingOff => Volatile.Read(ref _openUntilTicks) != Closed;

    public async ValueTask GetManyAsync(IReadOnlyList<ArtifactCacheKey> keys, byte[]?[] into, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(into);
        if (into.Length < keys.Count)
        {
            throw new ArgumentException($"'into' holds {into.Length} slots for {keys.Count} keys.", nameof(into));
        }

        ct.ThrowIfCancellationRequested();
        if (keys.Count == 0)
        {
            return;
        }

        if (!TryEnter(out bool probe))
        {
            Array.Clear(into, 0, keys.Count);
            Interlocked.Add(ref _misses, keys.Count);
            Interlocked.Increment(ref _bypassed);
            return;
        }

        int failures = 0;
        try
        {
            int chunk = Options.KeysPerPipeline;
            if (keys.Count <= chunk)
            {
                failures = await GetChunkAsync(keys, 0, keys.Count, into, ct).ConfigureAwait(false);
            }
            else
            {
                var chunks = new Task<int>[(keys.Count + chunk - 1) / chunk];
                for (int c = 0; c < chunks.Length; c++)
                {
                    int offset = c * chunk;
                    chunks[c] = GetChunkAsync(keys, offset, Math.Min(chunk, keys.Count - offset), into, ct);
                }

                foreach (var failed in await Task.WhenAll(chunks).ConfigureAwait(false))
                {
                    failures += failed;
                }
            }
        }
        finally
        {
            Exit(probe, failures, ct);
        }
    }

    public async ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        ct.ThrowIfCancellationRequested();
        var accepted = WithoutTooLarge(items);
        if (accepted.Count == 0)
        {
            return;
        }

        if (!TryEnter(out bool probe))
        {
            Interlocked.Increment(ref _bypassed);
            return;
        }

        int failures = 0;
        try
        {
            int chunk = Options.KeysPerPipeline;
            if (accepted.Count <= chunk)
            {
                failures = await SetChunkAsync(accepted, 0, accepted.Count, ct).ConfigureAwait(false);
            }
            else
            {
                var chunks = new Task<int>[(accepted.Count + chunk - 1) / chunk];
                for (int c = 0; c < chunks.Length; c++)
                {
                    int offset = c * chunk;
                    chunks[c] = SetChunkAsync(accepted, offset, Math.Min(chunk, accepted.Count - offset), ct);
                }

                foreach (var failed in await Task.WhenAll(chunks).ConfigureAwait(false))
                {
                    failures += failed;
                }
            }
        }
        finally
        {
            Exit(probe, failures, ct);
        }
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Reads one pipeline; returns 1 if it failed (its slots are then misses), 0 otherwise.</summary>
    private async Task<int> GetChunkAsync(IReadOnlyList<ArtifactCacheKey> keys, int offset, int count, byte[]?[] into, CancellationToken ct)
    {
        try
        {
            await _client.GetManyAsync(keys, offset, count, _encoder, into, ct).ConfigureAwait(false);
        }
        catch (RedisException)
        {
            Array.Clear(into, offset, count);
            Interlocked.Add(ref _misses, count);
            Interlocked.Increment(ref _errors);
            return 1;
        }

        int hits = 0;
        for (int i = offset; i < offset + count; i++)
        {
            if (into[i] is not null)
            {
                hits++;
            }
        }

        Interlocked.Add(ref _hits, hits);
        Interlocked.Add(ref _misses, count - hits);
        return 0;
    }

    private async Task<int> SetChunkAsync(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items, int offset, int count, CancellationToken ct)
    {
        try
        {
            await _client.SetManyAsync(items, offset, count, _encoder, Options.Ttl, ct).ConfigureAwait(false);
            return 0;
        }
        catch (RedisException)
        {
            Interlocked.Increment(ref _errors);
            return 1;
        }
    }

    private IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> WithoutTooLarge(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items)
    {
        List<KeyValuePair<ArtifactCacheKey, byte[]>>? accepted = null;
        for (int i = 0; i < items.Count; i++)
        {
            var value = items[i].Value;
            ArgumentNullException.ThrowIfNull(value, nameof(items));
            if (value.Length > Options.MaxValueBytes)
            {
                Interlocked.Increment(ref _skippedTooLarge);
                if (accepted is null)
                {
                    // Copy only when something is left out, which is rare.
                    accepted = new List<KeyValuePair<ArtifactCacheKey, byte[]>>(items.Count);
                    for (int j = 0; j < i; j++)
                    {
                        accepted.Add(items[j]);
                    }
                }
            }
            else
            {
                accepted?.Add(items[i]);
            }
        }

        return accepted ?? items;
    }

    /// <summary>
    /// Whether a call may use redis. While backing off, no; once the cooldown has passed, exactly one caller probes
    /// (<paramref name="probe"/>) while the others keep going without redis, so an outage costs one timeout per cooldown.
    /// </summary>
    private bool TryEnter(out bool probe)
    {
        probe = false;
        long openUntil = Volatile.Read(ref _openUntilTicks);
        if (openUntil == Closed)
        {
            return true;
        }

        if (_time.GetUtcNow().UtcTicks < openUntil || Interlocked.CompareExchange(ref _probing, 1, 0) != 0)
        {
            return false;
        }

        probe = true;
        return true;
    }

    private void Exit(bool probe, int failures, CancellationToken ct)
    {
        if (failures > 0)
        {
            Volatile.Write(ref _openUntilTicks, (_time.GetUtcNow() + Options.Cooldown).UtcTicks);
        }
        else if (probe && !ct.IsCancellationRequested)
        {
            Volatile.Write(ref _openUntilTicks, Closed);
        }

        if (probe)
        {
            Volatile.Write(ref _probing, 0);
        }
    }
}
