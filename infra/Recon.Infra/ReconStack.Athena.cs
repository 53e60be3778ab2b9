using Amazon.CDK;
using Amazon.CDK.AWS.Athena;
using Amazon.CDK.AWS.Glue;
using Amazon.CDK.AWS.IAM;
using Recon.Infra.Workflows;

namespace Recon.Infra;

/// <summary>
/// The jobs' distributed engine, created only when a deployed workflow names <c>${AthenaWorkGroup}</c>
/// (workflows/transform.asl.json, deployed with <c>-c transform=true</c>): an Athena workgroup that enforces its own
/// settings (engine version 3, results under the bucket's Recon prefix encrypted with SSE-S3, a bytes-scanned limit per
/// query, CloudWatch metrics) and the Glue database where a job's inputs become external tables for its lifetime.
/// </summary>
internal sealed partial class ReconStack
{
    /// <summary>The workgroup's physical name.</summary>
    public string AthenaWorkGroupName => $"{Options.Deployment}-jobs";

    /// <summary>The Glue database of the jobs' tables (Glue names: lower case, digits, underscores).</summary>
    public string AthenaDatabaseName => Options.Deployment.Replace('-', '_') + "_jobs";

    /// <summary>Where the workgroup writes query results and metadata: the bucket, under Recon's prefix.</summary>
    public string AthenaResultsLocation => $"s3://{Bucket.BucketName}/{AthenaResultsPrefix}/";

    /// <summary>The key prefix of Athena's query results in the bucket (expired with the jobs' work).</summary>
    public string AthenaResultsPrefix => Options.S3Prefix.Length == 0 ? "athena-results" : Options.S3Prefix + "/athena-results";

    public CfnWorkGroup? AthenaWorkGroup { get; private set; }

    private bool UsesAthenaWorkGroup => Workflows.Any(w => w.Placeholders.Any(p => p.Kind == PlaceholderKind.AthenaWorkGroup));

    private void CreateAthena()
    {
        if (!UsesAthenaWorkGroup)
        {
            return;
        }

        AthenaWorkGroup = new CfnWorkGroup(this, "JobsWorkGroup", new CfnWorkGroupProps
        {
            Name = AthenaWorkGroupName,
            Description = $"Recon jobs of deployment '{Options.Deployment}' (workflows/transform.asl.json)",
            State = "ENABLED",
            RecursiveDeleteOption = true,
            WorkGroupConfiguration = new CfnWorkGroup.WorkGroupConfigurationProperty
            {
                // The workgroup's settings win over a caller's: results location, encryption and limit cannot be bypassed.
                EnforceWorkGroupConfiguration = true,
                PublishCloudWatchMetricsEnabled = true,
                BytesScannedCutoffPerQuery = Options.AthenaBytesScannedCutoffPerQuery,
                EngineVersion = new CfnWorkGroup.EngineVersionProperty { SelectedEngineVersion = "Athena engine version 3" },
                ResultConfiguration = new CfnWorkGroup.ResultConfigurationProperty
                {
                    OutputLocation = AthenaResultsLocation,
                    EncryptionConfiguration = new CfnWorkGroup.EncryptionConfigurationProperty { EncryptionOption = "SSE_S3" },
                },
            },
        });

        new CfnDatabase(this, "JobsDatabase", new CfnDatabaseProps
        {
            CatalogId = Account,
            DatabaseInput = new CfnDatabase.DatabaseInputProperty
            {
                Name = AthenaDatabaseName,
                Description = "Recon jobs' inputs as external tables, one set per job, dropped when it ends",
            },
        });

        // The compile step names the database in the SQL it writes.
        foreach (var function in Workflows.Where(w => w.Placeholders.Any(p => p.Kind == PlaceholderKind.AthenaWorkGroup))
            .SelectMany(w => w.Placeholders).Where(p => p.Kind == PlaceholderKind.Function).Select(p => _functions[p.Target]).Distinct())
        {
            function.AddEnvironment("RECON_ATHENA_DATABASE", AthenaDatabaseName);
            function.AddEnvironment("RECON_ATHENA_WORKGROUP", AthenaWorkGroupName);
        }
    }

    /// <summary>
    /// The jobs' DDL: a job creates its inputs' external tables and drops them, in the jobs' database only (the
    /// pipeline's Athena tasks, if any, keep their read-only grants).
    /// </summary>
    private IEnumerable<PolicyStatement> JobCatalogGrants(IReadOnlyList<TaskIntegration> athena)
    {
        if (!athena.Any(t => t.WorkGroup == WorkflowFile.AthenaWorkGroupPlaceholder))
        {
            yield break;
        }

        yield return new PolicyStatement(new PolicyStatementProps
        {
            Sid = "JobTables",
            Actions = ["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:DeleteTable"],
            Resources =
            [
                Arn.Format(new ArnComponents { Service = "glue", Resource = "catalog" }, this),
                Arn.Format(new ArnComponents { Service = "glue", Resource = "database", ResourceName = AthenaDatabaseName }, this),
                Arn.Format(new ArnComponents { Service = "glue", Resource = "table", ResourceName = AthenaDatabaseName + "/*" }, this),
            ],
        });
    }
}
