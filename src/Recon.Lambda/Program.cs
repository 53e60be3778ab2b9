using System.Runtime.InteropServices;

// The executable of the Lambda package (renamed bootstrap by tools/package-lambda.sh): see Runtime/LambdaBootstrap.
// Each invocation is cancelled at its deadline by the runtime loop; SIGTERM (the environment shutting down) or
// Ctrl-C when run by hand stops the loop.
using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
try
{
    return await Recon.Lambda.Runtime.LambdaBootstrap.RunAsync(Environment.GetEnvironmentVariable, Console.Out, Console.Error, stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0; // stopped while waiting for the next invocation
}
