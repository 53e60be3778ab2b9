using System.Net.Sockets;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Recon.Core.Ports;
using StackExchange.Redis;

namespace Recon.Cache.Redis;

/// <summary>
/// The artifact cache on redis (ElastiCache) through one StackExchange.Redis multiplexer: versioned keys with a TTL,
/// large values skipped, a call's reads sent as MGETs and its writes as one batch of SETs, all in one round trip. A
/// cache that is down or slow never fails the caller: a Polly timeout bounds each call and a circuit breaker keeps
/// redis out of the way after failures (reads are misses, writes are dropped, both counted in <see cref="Stats"/>).
/// Wrong credentials are not an outage: they throw <see cref="RedisAuthenticationException"/>.
/// </summary>
public sealed class RedisArtifactCache : IArtifactCache, IDisposable, IAsyncDisposable
{
    private readonly ConfigurationOptions? _configuration;
    private readonly bool _ownsConnection;
    private readonly string _keyPrefix;
    private readonly string? _expectedUser;
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly Lock _connectLock = new();
    private Task<IConnectionMultiplexer>? _connecting;
    private volatile bool _verified;
    private long _hits;
    private long _misses;
    private long _errors;
    private long _skippedTooLarge;
    private long _bypassed;
    private string? _lastError;

    /// <summary>Creates a cache with its own multiplexer, connected on first use and closed on dispose.</summary>
    public RedisArtifactCache(ConfigurationOptions configuration, RedisArtifactCacheOptions? options = null, TimeProvider? time = null)
        : this(options, time, configuration.User)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configuration = configuration;
        _ownsConnection = true;
    }

    /// <summary>Creates a cache on a shared multiplexer, which the caller keeps and disposes.</summary>
    public RedisArtifactCache(IConnectionMultiplexer connection, RedisArtifactCacheOptions? options = null, TimeProvider? time = null)
        : this(options, time, ConfigurationOptions.Parse(connection.Configuration).User)
    {
        _connecting = Task.FromResult(connection);
    }

    private RedisArtifactCache(RedisArtifactCacheOptions? options, TimeProvider? time, string? user)
    {
        Options = options ?? new RedisArtifactCacheOptions();
        _keyPrefix = Options.KeyPrefix + "art:";
        _expectedUser = user;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = Options.BreakerFailureRatio,
                MinimumThroughput = Options.BreakerMinimumThroughput,
                SamplingDuration = Options.BreakerSamplingDuration,
                BreakDuration = Options.Cooldown,
                StateProvider = _breaker,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsOutage),
            })
            .AddTimeout(Options.Timeout)
            .Build();
    }

    public RedisArtifactCacheOptions Options { get; }

    public RedisCacheStats Stats => new(
        Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _errors),
        Interlocked.Read(ref _skippedTooLarge), Interlocked.Read(ref _bypassed));

    /// <summary>What the last failed call ran into (type and message, never a password); null while none failed.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>True while the breaker keeps redis out of the way (open, or half-open with its one probe out).</summary>
    public bool IsBackingOff => _breaker.CircuitState != CircuitState.Closed;

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

        var redisKeys = new RedisKey[keys.Count];
        for (int i = 0; i < redisKeys.Length; i++)
        {
            redisKeys[i] = Key(keys[i]);
        }

        RedisValue[]?[] chunks;
        try
        {
            chunks = await _pipeline.ExecuteAsync(
                static async (state, token) => await state.Cache.ReadAsync(state.Keys, token).ConfigureAwait(false),
                (Cache: this, Keys: redisKeys), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BrokenCircuitException || IsOutage(e))
        {
            Array.Clear(into, 0, keys.Count);
            Interlocked.Add(ref _misses, keys.Count);
            Count(e);
            return;
        }

        int hits = 0;
        int at = 0;
        foreach (var chunk in chunks)
        {
            foreach (var value in chunk!)
            {
                var bytes = (byte[]?)value;
                into[at++] = bytes;
                hits += bytes is null ? 0 : 1;
            }
        }

        Interlocked.Add(ref _hits, hits);
        Interlocked.Add(ref _misses, keys.Count - hits);
    }

    public async ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<ArtifactCacheKey, byte[]>> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        ct.ThrowIfCancellationRequested();
        var accepted = new List<KeyValuePair<RedisKey, RedisValue>>(items.Count);
        foreach (var (key, value) in items)
        {
            ArgumentNullException.ThrowIfNull(value, nameof(items));
            if (value.Length > Options.MaxValueBytes)
            {
                Interlocked.Increment(ref _skippedTooLarge);
            }
            else
            {
                accepted.Add(new(Key(key), value));
            }
        }

        if (accepted.Count == 0)
        {
            return;
        }

        try
        {
            await _pipeline.ExecuteAsync(
                static async (state, token) => await state.Cache.WriteAsync(state.Items, token).ConfigureAwait(false),
                (Cache: this, Items: accepted), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BrokenCircuitException || IsOutage(e))
        {
            Count(e);
        }
    }

    public void Dispose()
    {
        if (_ownsConnection && _connecting is { IsCompletedSuccessfully: true } connected)
        {
            connected.Result.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection && _connecting is { IsCompletedSuccessfully: true } connected)
        {
            await connected.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The multiplexer, once connected (for diagnostics and tests); null before the first call.</summary>
    internal IConnectionMultiplexer? Connection => _connecting is { IsCompletedSuccessfully: true } c ? c.Result : null;

    /// <summary>Reads in MGETs of <see cref="RedisArtifactCacheOptions.KeysPerPipeline"/> keys, all sent before any reply is awaited.</summary>
    private async Task<RedisValue[]?[]> ReadAsync(RedisKey[] keys, CancellationToken ct)
    {
        var db = await DatabaseAsync(ct).ConfigureAwait(false);
        int chunk = Options.KeysPerPipeline;
        var reads = new Task<RedisValue[]>[(keys.Length + chunk - 1) / chunk];
        for (int c = 0; c < reads.Length; c++)
        {
            int offset = c * chunk;
            reads[c] = db.StringGetAsync(keys.Length <= chunk ? keys : keys[offset..Math.Min(offset + chunk, keys.Length)]);
        }

        return await AwaitAll(reads, ct).ConfigureAwait(false);
    }

    /// <summary>Writes every SET … PX in one batch: the commands leave together and their replies come back together.</summary>
    private async Task<bool> WriteAsync(List<KeyValuePair<RedisKey, RedisValue>> items, CancellationToken ct)
    {
        var db = await DatabaseAsync(ct).ConfigureAwait(false);
        var batch = db.CreateBatch();
        var writes = new Task<bool>[items.Count];
        var ttl = new Expiration(Options.Ttl);
        for (int i = 0; i < writes.Length; i++)
        {
            writes[i] = batch.StringSetAsync(items[i].Key, items[i].Value, ttl, ValueCondition.Always);
        }

        batch.Execute();
        await AwaitAll(writes, ct).ConfigureAwait(false);
        return true;
    }

    private static async Task<T[]> AwaitAll<T>(Task<T>[] tasks, CancellationToken ct)
    {
        try
        {
            // StackExchange.Redis commands take no token: stop waiting when Polly's timeout (or the caller) cancels.
            return await Task.WhenAll(tasks).WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            foreach (var task in tasks)
            {
                // Replies that fail after we stopped waiting must not surface as unobserved exceptions.
                _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            throw;
        }
    }

    private async Task<IDatabase> DatabaseAsync(CancellationToken ct)
    {
        var connection = await ConnectAsync().WaitAsync(ct).ConfigureAwait(false);
        var db = connection.GetDatabase();
        if (!_verified)
        {
            await VerifyUserAsync(connection, db, ct).ConfigureAwait(false);
            _verified = true;
        }

        return db;
    }

    /// <summary>One connection attempt shared by concurrent callers; a failed attempt is forgotten so the next call tries again.</summary>
    private Task<IConnectionMultiplexer> ConnectAsync()
    {
        lock (_connectLock)
        {
            if (_connecting is { IsFaulted: false, IsCanceled: false } current)
            {
                return current;
            }

            return _connecting = Connect(_configuration!);
        }

        static async Task<IConnectionMultiplexer> Connect(ConfigurationOptions configuration) =>
            await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
    }

    /// <summary>
    /// While redis's default user has no password, a refused AUTH leaves the connection open as <c>default</c> and
    /// StackExchange.Redis carries on: ask the server who we are and refuse anyone but the configured user.
    /// </summary>
    private async Task VerifyUserAsync(IConnectionMultiplexer connection, IDatabase db, CancellationToken ct)
    {
        string expected = _expectedUser ?? "default";
        RedisResult whoami;
        try
        {
            whoami = await db.ExecuteAsync("ACL", "WHOAMI").WaitAsync(ct).ConfigureAwait(false);
        }
        catch (RedisConnectionException e) when (IsAuthenticationFailure(e))
        {
            throw new RedisAuthenticationException(
                $"redis at {Endpoints(connection)} refused the credentials of user '{expected}' (AUTH failed). Check the user and password in --redis.", e);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOPERM", StringComparison.Ordinal) && _expectedUser is not null)
        {
            // A named user without the right to ask; the password-less default user fallback would have it.
            return;
        }
        catch (RedisServerException e) when (e.Message.Contains("unknown command", StringComparison.OrdinalIgnoreCase))
        {
            return; // redis before 6 has no ACL users to mix up
        }

        var actual = whoami.ToString();
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
        {
            throw new RedisAuthenticationException(
                $"redis at {Endpoints(connection)} connected as user '{actual}', not as '{expected}': the password for '{expected}' was refused " +
                "and the server let the connection on as its password-less default user. Check the user and password in --redis " +
                "(and give the default user a password or turn it off on the server).");
        }
    }

    private void Count(Exception e)
    {
        if (e is BrokenCircuitException)
        {
            Interlocked.Increment(ref _bypassed);
            return;
        }

        Interlocked.Increment(ref _errors);
        Volatile.Write(ref _lastError, $"{e.GetType().Name}: {e.Message}");
    }

    /// <summary>
    /// The server refused AUTH (or answered NOAUTH after it) while connecting, as its reply in the message shows.
    /// (StackExchange.Redis's AuthenticationFailure type also covers TLS handshakes, which stay outages here.)
    /// </summary>
    private static bool IsAuthenticationFailure(RedisConnectionException e)
    {
        for (Exception? at = e; at is not null; at = at.InnerException)
        {
            if (at.Message.Contains("WRONGPASS", StringComparison.Ordinal) || at.Message.Contains("NOAUTH", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Endpoints(IConnectionMultiplexer connection) => string.Join(',', connection.GetEndPoints().Select(e => e.ToString()));

    private RedisKey Key(ArtifactCacheKey key) => string.Concat(_keyPrefix, key.ArtifactId, ":", key.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>What a down or slow redis throws; caller cancellation and wrong credentials are not outages.</summary>
    private static bool IsOutage(Exception e) => e is TimeoutRejectedException or RedisException or SocketException or IOException or ObjectDisposedException
        && e is not RedisAuthenticationException;
}
