using Amazon.CDK;

namespace Recon.Infra;

/// <summary>
/// The CDK app: <c>cdk synth</c> / <c>infra/synth.sh</c> run it. Context (<c>-c key=value</c>): <c>deployment</c>
/// (default recon), <c>workflows</c> (default: the repository's workflows/), <c>lambdaZip</c> (the zip of
/// tools/package-lambda.sh; without it a placeholder asset is used and the stack carries a warning), <c>lambdaArchitecture</c>, <c>s3Prefix</c>,
/// <c>maxAzs</c>, <c>natGateways</c>, <c>workerEphemeralStorageMb</c>, <c>serveCpu</c>, <c>serveMemoryMb</c>,
/// <c>servePort</c>, <c>serveHealthCheckPath</c>, <c>account</c>, <c>region</c>.
/// </summary>
internal static class Program
{
    private static int Main()
    {
        try
        {
            var app = new App();
            var options = ReconApp.ReadOptions(key => app.Node.TryGetContext(key)?.ToString());
            ReconApp.AddStack(app, options, key => app.Node.TryGetContext(key)?.ToString());
            app.Synth();
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine("synth failed: " + e.Message);
            return 1;
        }
    }
}
