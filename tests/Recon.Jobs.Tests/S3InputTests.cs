using System.Globalization;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Recon.Core;
using Recon.Jobs.Compare;
using Recon.Jobs.Engine;
using Recon.Jobs.Transform;
using Recon.Orchestration.Jobs;
using Recon.Storage.Aws;
using Recon.Testing;
using Recon.Testing.Servers;

namespace Recon.Jobs.Tests;

/// <summary>s3:// inputs read through the S3 object store adapter from the real s3rver of this test process.</summary>
public sealed class S3InputTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly IAmazonS3 _s3;
    private readonly string _bucket = $"jobs-{Guid.NewGuid():N}"[..30];
    private readonly JobEngineOptions _engine;

    public S3InputTests()
    {
        _s3 = AwsClients.CreateS3(new AwsConnection
        {
            S3Endpoint = new Uri(SharedServers.S3.ServiceUrl),
            Credentials = new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey),
        });
        Assert.True(S3ObjectStore.EnsureBucketAsync(_s3, _bucket, CancellationToken.None).GetAwaiter().GetResult());
        var resilience = new AwsResilience();
        _engine = new JobEngineOptions { MemoryLimit = "256MB", Threads = 1, OpenBucket = b => new S3ObjectStore(_s3, b, "", resilience) };
    }

    public void Dispose()
    {
        _s3.Dispose();
        _dir.Dispose();
    }

    private async Task PutAsync(string key, string text) =>
        await new S3ObjectStore(_s3, _bucket, "", new AwsResilience()).PutAsync(key, Encoding.UTF8.GetBytes(text), CancellationToken.None);

    [Fact]
    public async Task Transform_FromAnS3FolderAndAnS3Object_ReadsEveryPartExactly()
    {
        // Two parts of one folder (and a hidden object that is skipped), a lookup from a single object.
        await PutAsync("in/orders/part-1.csv", "id,ccy,amount\nA,EUR,10.10\nB,USD,-2.55\n");
        await PutAsync("in/orders/part-2.csv", "id,ccy,amount\nC,EUR,0.015\n");
        await PutAsync("in/orders/.tmp/ignored.csv", "id,ccy,amount\nX,EUR,999\n");
        await PutAsync("in/rates.csv", "ccy,rate\nEUR,1.0850\nUSD,0.9\n");
        var spec = TransformSpec.Parse($$$"""
            {"inputs": {"orders": "s3://{{{_bucket}}}/in/orders/", "rates": "s3://{{{_bucket}}}/in/rates.csv"},
             "steps": [{"op": "lookup", "from": "rates", "on": {"ccy": "ccy"}, "columns": ["rate"]},
                       {"op": "derive", "columns": {"converted": "round(amount * rate, 2)"}},
                       {"op": "sort", "by": ["id"]}],
             "output": {"path": "out.csv"}}
            """, _dir.Path);

        var result = TransformJob.Run(spec, _dir.File("work"), _engine, TimeProvider.System, CancellationToken.None);

        var rows = File.ReadAllLines(result.OutputPath).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(["A", "B", "C"], rows.Select(r => r[0]));
        decimal[] expected = [Math.Round(10.10m * 1.0850m, 2, MidpointRounding.AwayFromZero), Math.Round(-2.55m * 0.9m, 2, MidpointRounding.AwayFromZero), Math.Round(0.015m * 1.0850m, 2, MidpointRounding.AwayFromZero)];
        Assert.Equal(expected, rows.Select(r => decimal.Parse(r[4], CultureInfo.InvariantCulture)));
        Assert.False(Directory.Exists(_dir.File("work")) && Directory.EnumerateFiles(_dir.File("work"), "*.csv", SearchOption.AllDirectories).Any(), "the downloaded parts are removed with the job's work folder");
    }

    [Fact]
    public async Task Compare_S3SourceAgainstALocalTarget_FindsThePlantedDifference()
    {
        await PutAsync("cmp/source.csv", "id,amount\n1,10.00\n2,20.00\n3,30.00\n");
        File.WriteAllText(_dir.File("target.csv"), "id,amount\n1,10.00\n2,20.01\n3,30.0\n");

        var report = await CompareJob.RunAsync(new CompareSpec { Source = $"s3://{_bucket}/cmp/source.csv", Target = _dir.File("target.csv"), Key = ["id"] },
            _dir.File("work"), _engine, TimeProvider.System, null, CancellationToken.None);

        Assert.Equal((3L, 1L, 0L, 0L), (report.MatchedRows, report.RowsWithDifferences, report.RowsOnlyInSource, report.RowsOnlyInTarget));
    }

    [Fact]
    public void Inputs_MissingS3KeyOrNoS3Access_AreClearErrorsNamingTheInput()
    {
        var missing = TransformSpec.Parse($$$"""{"inputs": {"orders": "s3://{{{_bucket}}}/nothing/here.csv"}, "output": {"path": "out.csv"}}""", _dir.Path);
        var error = Assert.Throws<ReconException>(() => TransformJob.Run(missing, _dir.File("work"), _engine, TimeProvider.System, CancellationToken.None));
        Assert.Equal($"input 'orders' 's3://{_bucket}/nothing/here.csv' does not exist: no object has that key and none is under 'nothing/here.csv/'.", error.Message);

        var noAccess = Assert.Throws<ReconException>(() => TransformJob.Run(missing, _dir.File("work"), _engine with { OpenBucket = null }, TimeProvider.System, CancellationToken.None));
        Assert.StartsWith($"input 'orders' 's3://{_bucket}/nothing/here.csv': this job has no S3 access configured", noAccess.Message, StringComparison.Ordinal);
    }
}
