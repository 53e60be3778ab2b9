using System.Reflection;
using Recon.Core;
using Recon.Lambda.Backend;

namespace Recon.Lambda.Tests;

/// <summary>What the Lambda package holds and how it is configured: the AWS backend from RECON_* variables, nothing local.</summary>
public sealed class LambdaPackageContentsTests
{
    [Fact]
    public void ReconLambda_Transitively_ReferencesNoLocalCodePathNoSqliteFolderStoreOrAslRunner()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([typeof(ReconFunctions).Assembly]);
        while (queue.Count > 0)
        {
            foreach (var name in queue.Dequeue().GetReferencedAssemblies())
            {
                if (name.Name is { } n && seen.Add(n) && (n.StartsWith("Recon.", StringComparison.Ordinal) || n.Contains("Sqlite", StringComparison.OrdinalIgnoreCase)))
                {
                    queue.Enqueue(Assembly.Load(name));
                }
            }
        }

        Assert.Contains("Recon.Storage.Aws", seen);
        foreach (var local in new[] { "Recon.Storage.Local", "Recon.Hosting", "Recon.Workflows", "Recon.Orchestration", "Microsoft.Data.Sqlite" })
        {
            Assert.DoesNotContain(local, seen);
        }

        Assert.DoesNotContain(seen, n => n.StartsWith("SQLitePCLRaw", StringComparison.Ordinal));
    }

    [Fact]
    public void FromEnvironment_OfADeployedFunction_ReadsTheVariablesTheStackSets()
    {
        var env = new Dictionary<string, string?>
        {
            ["RECON_BACKEND"] = "aws", ["RECON_S3_BUCKET"] = "recon-prod-data", ["RECON_S3_PREFIX"] = "p1", ["RECON_INDEX_TABLE"] = "prod-index",
            ["RECON_LEDGER_TABLE"] = "prod-ledger", ["RECON_REGION"] = "eu-west-1", ["RECON_REDIS"] = "cache:6379,ssl=true", ["RECON_DEPLOYMENT"] = "prod",
        };

        var settings = LambdaSettings.FromEnvironment(n => env.GetValueOrDefault(n));

        Assert.Equal(("recon-prod-data", "p1", "prod-index", "prod-ledger", "eu-west-1", "cache:6379,ssl=true", "prod"),
            (settings.S3Bucket, settings.S3Prefix, settings.IndexTable, settings.LedgerTable, settings.Region, settings.Redis, settings.Deployment));
        Assert.Null(settings.S3Endpoint);
    }

    [Theory]
    [InlineData("RECON_BACKEND", "local", "only on the aws backend")]
    [InlineData("RECON_S3_BUCKET", null, "RECON_S3_BUCKET is not set")]
    [InlineData("RECON_S3_BUCKET", "Not_A_Bucket", "not a valid S3 bucket name")]
    [InlineData("RECON_LEDGER_TABLE", "x", "RECON_LEDGER_TABLE 'x' is not a valid DynamoDB table name")]
    [InlineData("RECON_S3_ENDPOINT", "s3rver:4569", "RECON_S3_ENDPOINT 's3rver:4569' is not an http(s) URL")]
    public void FromEnvironment_AMissingOrWrongVariable_IsAnErrorNamingIt(string name, string? value, string expected)
    {
        var env = new Dictionary<string, string?> { ["RECON_S3_BUCKET"] = "recon-data", ["AWS_REGION"] = "eu-west-1", [name] = value };

        var e = Assert.Throws<ReconException>(() => LambdaSettings.FromEnvironment(n => env.GetValueOrDefault(n)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
