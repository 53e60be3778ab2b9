using System.Net;
using System.Net.Sockets;

namespace Recon.Cache.Redis.Tests;

/// <summary>
/// A TCP proxy that holds every chunk it forwards, in either direction, for a fixed delay: a far-away server.
/// N sequential round trips through it cost at least N × 2 × delay; a pipeline costs a few delays whatever its size.
/// <see cref="Hold"/> stops forwarding altogether until <see cref="Release"/>: a hung server, for tests whose
/// timeouts run on a manual clock.
/// </summary>
public sealed class LatencyProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;
    private long _delayTicks;
    private TaskCompletionSource _open = Opened();
    private int _held;

    public LatencyProxy(int targetPort, TimeSpan delay)
    {
        _targetPort = targetPort;
        Delay = delay;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    /// <summary>The delay from now on; chunks already held keep theirs.</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>Chunks waiting in <see cref="Hold"/>.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>From now on every chunk waits until <see cref="Release"/>.</summary>
    public void Hold()
    {
        var current = Volatile.Read(ref _open);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        }
    }

    /// <summary>Forwards the held chunks, in order, and forwards again without waiting.</summary>
    public void Release() => Interlocked.Exchange(ref _open, Opened()).TrySetResult();

    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient();
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                client.NoDelay = server.NoDelay = true;
                _ = PumpAsync(client, server);
                _ = PumpAsync(server, client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            int read;
            while ((read = await input.ReadAsync(buffer, _stop.Token)) > 0)
            {
                var open = Volatile.Read(ref _open).Task;
                if (!open.IsCompleted)
                {
                    Interlocked.Increment(ref _held);
                    try
                    {
                        await open.WaitAsync(_stop.Token);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _held);
                    }
                }

                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, _stop.Token);
                }

                await output.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException or SocketException)
        {
            // one side closed
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
