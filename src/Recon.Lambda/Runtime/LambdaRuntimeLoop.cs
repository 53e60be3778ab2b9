using Recon.Core;

namespace Recon.Lambda.Runtime;

/// <summary>
/// The custom runtime's event loop for one handler: next event → handler (its CancellationToken fires at the
/// invocation's deadline, a little before, so the error can still be reported) → response, or the error with the
/// type the definitions catch (<c>Recon.Throttled</c>, <c>Recon.Transient</c>, … or the exception's type name).
/// </summary>
internal sealed class LambdaRuntimeLoop(LambdaRuntimeClient client, Func<Stream, CancellationToken, Task<Stream>> handler, TimeProvider time)
{
    /// <summary>How long before the deadline the handler is cancelled, to leave time to report.</summary>
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Serves invocations until <paramref name="stop"/> (Lambda ends the process itself); returns how many were served.</summary>
    public async Task<long> RunAsync(CancellationToken stop, long maxInvocations = long.MaxValue)
    {
        long served = 0;
        while (served < maxInvocations && !stop.IsCancellationRequested)
        {
            var invocation = await client.NextAsync(stop).ConfigureAwait(false);
            await HandleAsync(invocation, stop).ConfigureAwait(false);
            served++;
        }

        return served;
    }

    private async Task HandleAsync(LambdaInvocation invocation, CancellationToken stop)
    {
        var left = invocation.Deadline - time.GetUtcNow() - DeadlineMargin;
        using var deadline = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stop);
        Stream output;
        try
        {
            output = await handler(new MemoryStream(invocation.Payload, writable: false), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            await client.ReportErrorAsync(invocation.RequestId, ReconErrorNames.Transient,
                $"the handler did not finish before the invocation's deadline {invocation.Deadline:O}", stop).ConfigureAwait(false);
            return;
        }
#pragma warning disable CA1031 // every handler failure is reported to Lambda, named as the definitions catch it
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            await client.ReportErrorAsync(invocation.RequestId, ErrorType(e), e.Message, stop).ConfigureAwait(false);
            return;
        }

        await using (output.ConfigureAwait(false))
        {
            await client.RespondAsync(invocation.RequestId, output, stop).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The error type Step Functions matches: a custom runtime names it freely, so the dotted names
    /// (<c>Recon.Throttled</c>) go as they are; anything unclassified goes under its .NET type name, as the managed
    /// runtime does.
    /// </summary>
    public static string ErrorType(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return ReconErrorNames.Of(e);
    }
}
