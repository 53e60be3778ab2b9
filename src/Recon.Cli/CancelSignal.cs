using System.Runtime.InteropServices;

namespace Recon.Cli;

/// <summary>
/// Ctrl-C and SIGTERM for every command. The first signal goes to a command that can stop gracefully (<c>recon run</c>
/// finishes the step under way) when one registered; otherwise, and on the next signal, <see cref="Token"/> is
/// cancelled, which every command passes down to its I/O.
/// </summary>
internal sealed class CancelSignal : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly PosixSignalRegistration? _sigterm;
    private readonly bool _listening;
    private Action? _graceful;

    private CancelSignal(CancellationToken outer, bool listen)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _listening = listen;
        if (listen)
        {
            Console.CancelKeyPress += OnCancelKeyPress;
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                Signal();
            });
        }
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>Listens to Ctrl-C and SIGTERM (the real <c>recon</c> process); cancelled also when <paramref name="outer"/> is.</summary>
    public static CancelSignal Listen(CancellationToken outer) => new(outer, listen: true);

    /// <summary>Only <paramref name="outer"/> cancels (tests, embedding).</summary>
    public static CancelSignal From(CancellationToken outer) => new(outer, listen: false);

    /// <summary>Lets the next signal stop <paramref name="stopGracefully"/>'s command gently instead of cancelling; disposing the result withdraws it.</summary>
    public IDisposable OnFirstSignal(Action stopGracefully)
    {
        Volatile.Write(ref _graceful, stopGracefully);
        return new Withdraw(this, stopGracefully);
    }

    /// <summary>What a signal does: the graceful stop once, if one is registered; otherwise cancel.</summary>
    public void Signal()
    {
        var graceful = Interlocked.Exchange(ref _graceful, null);
        if (graceful is not null)
        {
            graceful();
        }
        else
        {
            _cancel.Cancel();
        }
    }

    public void Dispose()
    {
        if (_listening)
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
            _sigterm?.Dispose();
        }

        _cancel.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        // Never let the runtime kill the process: the command unwinds through its token and exits with 130.
        e.Cancel = true;
        Signal();
    }

    private sealed class Withdraw(CancelSignal owner, Action registered) : IDisposable
    {
        public void Dispose() => Interlocked.CompareExchange(ref owner._graceful, null, registered);
    }
}
