namespace Recon.Api.Tests;

/// <summary>The /api/jobs tests on the aws backend: the queue on SQS (local-aws-sqs), the job records in the ledger table (dynalite).</summary>
public sealed class AwsJobRouteTests : JobRouteTests
{
    protected override bool Aws => true;
}
