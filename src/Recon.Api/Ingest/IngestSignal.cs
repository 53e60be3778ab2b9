namespace Recon.Api.Ingest;

/// <summary>Wakes the ingest loop before its poll interval ends (a batch was submitted or retried).</summary>
internal sealed class IngestSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _completedPasses;

    public long CompletedPasses => Interlocked.Read(ref _completedPasses);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already woken
        }
    }

    public void PassCompleted() => Interlocked.Increment(ref _completedPasses);

    /// <summary>Waits for <paramref name="poll"/> or a wake-up, whichever is first; false when cancelled.</summary>
    public async Task<bool> WaitAsync(TimeSpan poll, TimeProvider time, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(poll, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await _wake.WaitAsync(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return !ct.IsCancellationRequested;
        }
    }
}
