using System.Collections;
using Recon.Core;
using Recon.Hosting;

namespace Recon.Hosting.Tests;

public sealed class ReconSettingsTests
{
    private static Dictionary<string, string?> Flags(params (string Key, string Value)[] values) =>
        values.ToDictionary(v => v.Key, v => (string?)v.Value, StringComparer.Ordinal);

    [Fact]
    public void Resolve_WithFlagsEnvironmentAndConfigFile_TakesFlagsOverEnvironmentOverFile()
    {
        using var folder = new Testing.TempFolder();
        string config = folder.File("recon.json");
        File.WriteAllText(config, """{"backend":"aws","s3_bucket":"from-file","index_table":"file-index","region":"eu-west-1"}""");
        var env = new Hashtable { ["RECON_S3_BUCKET"] = "from-env", ["RECON_INDEX_TABLE"] = "env-index", ["AWS_REGION"] = "us-west-2" };

        var s = ReconSettings.Resolve(Flags(("index_table", "flag-index")), env, config);

        Assert.Equal(BackendKind.Aws, s.Backend);
        Assert.Equal("from-env", s.S3Bucket);
        Assert.Equal("flag-index", s.IndexTable);
        Assert.Equal("eu-west-1", s.Region); // RECON_REGION is not set; the file's region beats AWS_REGION's fallback
        Assert.Equal("recon-ledger", s.LedgerTable);
        Assert.Equal("--index-table", s.Sources["index_table"]);
        Assert.Equal("RECON_S3_BUCKET", s.Sources["s3_bucket"]);
        Assert.Equal(config, s.Sources["backend"]);
    }

    [Fact]
    public void Resolve_OfBadSettings_ThrowsErrorsNamingWhereToFixThem()
    {
        using var folder = new Testing.TempFolder();
        var none = new Hashtable();
        Assert.Contains("--s3-bucket", Assert.Throws<ReconException>(() => ReconSettings.Resolve(Flags(("backend", "aws")), none)).Message, StringComparison.Ordinal);
        Assert.Contains("'cloud' is not a backend", Assert.Throws<ReconException>(() => ReconSettings.Resolve(Flags(("backend", "cloud")), none)).Message, StringComparison.Ordinal);
        Assert.Contains("not a valid S3 bucket", Assert.Throws<ReconException>(() => ReconSettings.Resolve(Flags(("backend", "aws"), ("s3_bucket", "Bad_Bucket")), none)).Message, StringComparison.Ordinal);
        Assert.Contains("not an http(s) URL", Assert.Throws<ReconException>(() => ReconSettings.Resolve(Flags(("s3_endpoint", "localhost:4568")), none)).Message, StringComparison.Ordinal);
        string config = folder.File("recon.json");
        File.WriteAllText(config, """{"s3_bucket":"ok-bucket","aws_secret_access_key":"x"}""");
        Assert.Contains("unknown setting 'aws_secret_access_key'", Assert.Throws<ReconException>(() => ReconSettings.Resolve(Flags(), none, config)).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<ReconException>(() => ReconSettings.Resolve(Flags(), none, folder.File("missing.json"))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cache.example:6379,user=recon,password=s3cret!,ssl=true", "password=***")]
    [InlineData("rediss://recon:s3cret!@cache.example:6380/0", "recon:***@cache.example:6380")]
    public void Describe_OfARedisConnection_NeverShowsThePassword(string connection, string expected)
    {
        var s = new ReconSettings { Backend = BackendKind.Aws, S3Bucket = "bucket", Redis = connection };
        string described = s.Describe();
        Assert.DoesNotContain("s3cret", described, StringComparison.Ordinal);
        Assert.Contains(expected, described, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_EveryKey_IsReadFromItsEnvironmentVariableAndChangesTheSettings()
    {
        var valid = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["backend"] = "aws", ["data"] = "elsewhere", ["inbox"] = "s3://in/box", ["s3_bucket"] = "b-bucket", ["s3_prefix"] = "p",
            ["index_table"] = "idx", ["ledger_table"] = "ldg", ["redis"] = "localhost:6379", ["region"] = "eu-north-1",
            ["s3_endpoint"] = "http://localhost:4568", ["dynamodb_endpoint"] = "http://localhost:8000", ["sqs_endpoint"] = "http://localhost:9324",
            ["jobs_queue_url"] = "https://sqs.eu-north-1.amazonaws.com/123456789012/recon-jobs",
            ["jobs_dlq_url"] = "https://sqs.eu-north-1.amazonaws.com/123456789012/recon-jobs-dlq",
        };
        Assert.Equal(valid.Keys.Order(StringComparer.Ordinal), ReconSettings.Keys.Order(StringComparer.Ordinal));
        // A bucket is always set, so that the aws backend is valid on its own.
        var defaults = new ReconSettings { S3Bucket = "a-bucket" };
        foreach (var setting in ReconSettings.Table)
        {
            var env = new Hashtable { [ReconSettings.EnvironmentName("s3_bucket")] = "a-bucket" };
            env[ReconSettings.EnvironmentName(setting.Key)] = valid[setting.Key];
            var resolved = ReconSettings.Resolve(Flags(), env, configPath: null) with { Sources = defaults.Sources };

            Assert.NotEqual(defaults, resolved);
            Assert.Equal(resolved, setting.Apply(defaults, valid[setting.Key]));
        }
    }
}
