using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using Recon.Cache.Redis.Protocol;

namespace Recon.Cache.Redis;

/// <summary>
/// A small RESP2 client: a bounded pool of connections, each handed to one caller at a time; multi-key reads
/// (one MGET) and writes (a pipeline of SETs) in one round trip. Every failure surfaces as a
/// <see cref="RedisException"/> (<see cref="RedisTimeoutException"/> for timeouts), except the caller's own
/// cancellation. A connection that failed is discarded and the next call opens a new one.
/// </summary>
public sealed class RedisClient : IDisposable, IAsyncDisposable
{
    private readonly ConcurrentStack<RedisConnection> _idle = new();
    private readonly SemaphoreSlim _slots;
    private long _connectionsOpened;
    private long _roundTrips;
    private bool _disposed;

    public RedisClient(RedisConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _slots = new SemaphoreSlim(options.PoolSize, options.PoolSize);
    }

    /// <summary>Parses <paramref name="connectionString"/> (see <see cref="RedisConnectionOptions.Parse"/>).</summary>
    public RedisClient(string connectionString)
        : this(RedisConnectionOptions.Parse(connectionString))
    {
    }

    public RedisConnectionOptions Options { get; }

    /// <summary>Connections opened so far, including reconnects.</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    /// <summary>Request/reply exchanges so far: a whole pipeline counts once.</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    public int IdleConnections => _idle.Count;

    /// <summary>Sends one command and returns its reply; an error reply throws <see cref="RedisException"/> with the server's text.</summary>
    public ValueTask<RedisReply> ExecuteAsync(IReadOnlyList<string> command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfZero(command.Count);
        // Not retried on a stale connection: a general command may not be idempotent.
        return RunAsync(command, static async (connection, command, ct) =>
        {
            connection.Writer.WriteArrayHeader(command.Count);
            for (int i = 0; i < command.Count; i++)
            {
                connection.Writer.WriteBulk(command[i]);
            }

            await connection.Writer.FlushAsync(ct).ConfigureAwait(false);
            var reply = await connection.Reader.ReadReplyAsync(ct).ConfigureAwait(false);
            return reply.Kind == RedisReplyKind.Error ? throw ServerError(connection, command[0], reply.Text!) : reply;
        }, retryStale: false, ct);
    }

    /// <summary>Reads <paramref name="keys"/> with one MGET; <paramref name="into"/>[i] gets the value or null.</summary>
    public ValueTask GetManyAsync(IReadOnlyList<string> keys, byte[]?[] into, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return GetManyAsync(keys, 0, keys.Count, Utf8KeyEncoder.Instance, into, ct);
    }

    /// <summary>
    /// Reads keys[offset..offset+count] with one MGET into into[offset..offset+count] (null for a missing key);
    /// the keys are encoded by <paramref name="encoder"/> straight into the command buffer.
    /// </summary>
    public ValueTask GetManyAsync<TKey>(IReadOnlyList<TKey> keys, int offset, int count, IRedisKeyEncoder<TKey> encoder, byte[]?[] into, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(into);
        CheckRange(keys.Count, offset, count);
        CheckRange(into.Length, offset, count);
        if (count == 0)
        {
            return ValueTask.CompletedTask;
        }

        return AsValueTask(RunAsync((keys, offset, count, encoder, into), static async (connection, state, ct) =>
        {
            var (keys, offset, count, encoder, into) = state;
            var writer = connection.Writer;
            writer.WriteArrayHeader(count + 1);
            writer.WriteBulk("MGET"u8);
            for (int i = offset; i < offset + count; i++)
            {
                writer.WriteBulkKey(keys[i], encoder);
                if (writer.ShouldFlush)
                {
                    await writer.FlushAsync(ct).ConfigureAwait(false);
                }
            }

            await writer.FlushAsync(ct).ConfigureAwait(false);
            var reader = connection.Reader;
            var header = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (header.Prefix == RespLine.Error)
            {
                throw ServerError(connection, "MGET", header.Text!);
            }

            if (header.Prefix != RespLine.Array || header.Number != count)
            {
                throw new InvalidDataException($"MGET of {count} keys answered with '{(char)header.Prefix}{header.Number}'.");
            }

            for (int i = offset; i < offset + count; i++)
            {
                var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
                into[i] = line.Prefix == RespLine.Bulk
                    ? await reader.ReadBulkBodyAsync(line.Number, ct).ConfigureAwait(false)
                    : throw new InvalidDataException($"MGET item answered with '{(char)line.Prefix}'.");
            }

            return true;
        }, retryStale: true, ct));
    }

    /// <summary>Writes every item with <c>SET key value [PX ttl]</c>, pipelined: all commands sent, then all replies read.</summary>
    public ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> items, TimeSpan? ttl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        return SetManyAsync(items, 0, items.Count, Utf8KeyEncoder.Instance, ttl, ct);
    }

    /// <summary>Writes items[offset..offset+count] in one pipeline; <paramref name="ttl"/> (whole milliseconds) applies to every key.</summary>
    public ValueTask SetManyAsync<TKey>(
        IReadOnlyList<KeyValuePair<TKey, byte[]>> items, int offset, int count, IRedisKeyEncoder<TKey> encoder, TimeSpan? ttl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(encoder);
        CheckRange(items.Count, offset, count);
        long ttlMs = 0;
        if (ttl is { } t)
        {
            ttlMs = (long)t.TotalMilliseconds;
            ArgumentOutOfRangeException.ThrowIfLessThan(ttlMs, 1, nameof(ttl));
        }

        for (int i = offset; i < offset + count; i++)
        {
            ArgumentNullException.ThrowIfNull(items[i].Value, nameof(items));
        }

        if (count == 0)
        {
            return ValueTask.CompletedTask;
        }

        return AsValueTask(RunAsync((items, offset, count, encoder, ttlMs), static async (connection, state, ct) =>
        {
            var (items, offset, count, encoder, ttlMs) = state;
            var writer = connection.Writer;
            for (int i = offset; i < offset + count; i++)
            {
                var (key, value) = items[i];
                writer.WriteArrayHeader(ttlMs > 0 ? 5 : 3);
                writer.WriteBulk("SET"u8);
                writer.WriteBulkKey(key, encoder);
                await writer.WriteBulkValueAsync(value, ct).ConfigureAwait(false);
                if (ttlMs > 0)
                {
                    writer.WriteBulk("PX"u8);
                    writer.WriteBulk(ttlMs);
                }

                if (writer.ShouldFlush)
                {
                    await writer.FlushAsync(ct).ConfigureAwait(false);
                }
            }

            await writer.FlushAsync(ct).ConfigureAwait(false);

            // Read every reply even after an error so the connection stays in step; report the first error.
            string? error = null;
            for (int i = 0; i < count; i++)
            {
                var line = await connection.Reader.ReadLineAsync(ct).ConfigureAwait(false);
                if (line.Prefix == RespLine.Error)
                {
                    error ??= line.Text;
                }
                else if (line.Prefix != RespLine.SimpleString)
                {
                    throw new InvalidDataException($"SET answered with '{(char)line.Prefix}'.");
                }
            }

            return error is null ? true : throw ServerError(connection, "SET", error);
        }, retryStale: true, ct));
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out var connection))
        {
            connection.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static async ValueTask AsValueTask(ValueTask<bool> task) => await task.ConfigureAwait(false);

    private async ValueTask<T> RunAsync<TState, T>(
        TState state, Func<RedisConnection, TState, CancellationToken, ValueTask<T>> operation, bool retryStale, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await WaitForSlotAsync(ct).ConfigureAwait(false);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                var (connection, reused) = await RentAsync(fresh: attempt > 0, ct).ConfigureAwait(false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(Options.SyncTimeout);
                try
                {
                    Interlocked.Increment(ref _roundTrips);
                    var result = await operation(connection, state, timeout.Token).ConfigureAwait(false);
                    Return(connection);
                    return result;
                }
                catch (RedisException e) when (e.ServerError is not null)
                {
                    // An error reply was read whole: the connection is still in step.
                    Return(connection);
                    throw;
                }
                catch (Exception e)
                {
                    // Anything else may have left half a command or half a reply on the wire.
                    connection.Dispose();
                    ct.ThrowIfCancellationRequested();
                    if (timeout.IsCancellationRequested)
                    {
                        throw new RedisTimeoutException(string.Create(CultureInfo.InvariantCulture,
                            $"redis {connection.Endpoint}: no reply within the sync timeout of {Options.SyncTimeout.TotalMilliseconds:0} ms; the connection was dropped."), e);
                    }

                    // A pooled connection the server had already closed (idle kill, restart) fails on first use:
                    // one retry on a fresh connection makes that transparent for these idempotent commands.
                    if (retryStale && reused && attempt == 0 && e is IOException or SocketException)
                    {
                        continue;
                    }

                    throw new RedisException($"redis {connection.Endpoint}: connection failed during a command: {e.Message}", e);
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async ValueTask WaitForSlotAsync(CancellationToken ct)
    {
        bool entered;
        try
        {
            entered = await _slots.WaitAsync(Options.SyncTimeout, ct).ConfigureAwait(false);
        }
        catch (ObjectDisposedException e)
        {
            throw new ObjectDisposedException(nameof(RedisClient), e);
        }

        if (!entered)
        {
            throw new RedisTimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"redis: all {Options.PoolSize} pooled connections stayed busy for the sync timeout of {Options.SyncTimeout.TotalMilliseconds:0} ms."));
        }
    }

    private async ValueTask<(RedisConnection Connection, bool Reused)> RentAsync(bool fresh, CancellationToken ct)
    {
        while (!fresh && _idle.TryPop(out var idle))
        {
            if (idle.LooksIdleAndOpen())
            {
                return (idle, true);
            }

            idle.Dispose();
        }

        return (await ConnectAsync(ct).ConfigureAwait(false), false);
    }

    private async Task<RedisConnection> ConnectAsync(CancellationToken ct)
    {
        RedisException? last = null;
        foreach (var endpoint in Options.Endpoints)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.ConnectTimeout);
            try
            {
                var connection = await RedisConnection.OpenAsync(Options, endpoint, timeout.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _connectionsOpened);
                return connection;
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                last = new RedisTimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"redis {endpoint}: could not connect within the connect timeout of {Options.ConnectTimeout.TotalMilliseconds:0} ms."), e);
            }
            catch (AuthenticationException e)
            {
                last = new RedisException($"redis {endpoint}: TLS handshake failed: {e.Message} (check ssl, sslHost and the server's certificate).", e);
            }
            catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
            {
                last = new RedisException($"redis {endpoint}: could not connect: {e.Message}", e);
            }
        }

        throw last!;
    }

    private void Return(RedisConnection connection)
    {
        if (_disposed || connection.IsBroken)
        {
            connection.Dispose();
            return;
        }

        _idle.Push(connection);
        if (_disposed && _idle.TryPop(out var late))
        {
            late.Dispose();
        }
    }

    private static RedisException ServerError(RedisConnection connection, string command, string error) =>
        new($"redis {connection.Endpoint}: {command} failed: {error}", error);

    private static void CheckRange(int length, int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, length - count);
    }
}
