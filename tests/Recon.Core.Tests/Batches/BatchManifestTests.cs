using System.Text;
using Recon.Core.Batches;

namespace Recon.Core.Tests.Batches;

public class BatchManifestTests
{
    private const string Path = "inbox/billing/b-1/manifest.json";

    private const string Valid = """
        {"batch_id":"billing-20261121T1000Z","source":"billing",
         "window_start":"2026-11-21T10:00:00Z","window_end":"2026-11-21T10:05:00Z",
         "files":[{"name":"events-0000.jsonl","records":12345},{"name":"b.jsonl.gz","records":0},{"name":"c.CSV","records":3}]}
        """;

    [Fact]
    public void Parse_WhenManifestIsValid_ReadsEveryField()
    {
        var m = BatchManifest.Parse(Encoding.UTF8.GetBytes(Valid), Path);

        Assert.Equal("billing-20261121T1000Z", m.BatchId);
        Assert.Equal("billing", m.Source);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), m.WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 5, 0, TimeSpan.Zero), m.WindowEnd);
        Assert.Equal([new ManifestFile("events-0000.jsonl", 12345), new ManifestFile("b.jsonl.gz", 0), new ManifestFile("c.CSV", 3)], m.Files);
        Assert.Equal(12348, m.DeclaredRecords);
    }

    [Theory]
    [InlineData("{\"batch_id\":", "not valid JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{\"source\":\"billing\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[]}", "'batch_id'")]
    [InlineData("{\"batch_id\":\"\",\"source\":\"billing\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[]}", "'batch_id'")]
    [InlineData("{\"batch_id\":\"b\",\"source\":7,\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[]}", "'source'")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[]}", "'window_start'")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-02-30T10:05:00Z\",\"files\":[]}", "'window_end'")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:05:00Z\",\"window_end\":\"2026-11-21T10:00:00Z\",\"files\":[]}", "window_end is before window_start")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\"}", "'files' must be an array")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":{}}", "'files' must be an array")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[\"a.jsonl\"]}", "must be an object")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[{\"records\":1}]}", "'name'")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[{\"name\":\"../x.jsonl\",\"records\":1}]}", "plain file name")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[{\"name\":\"manifest.json\",\"records\":1}]}", "plain file name")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[{\"name\":\"a.jsonl\",\"records\":1},{\"name\":\"a.jsonl\",\"records\":2}]}", "listed twice")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[{\"name\":\"a.jsonl\",\"records\":-1}]}", "non-negative integer 'records'")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[{\"name\":\"a.jsonl\",\"records\":1.5}]}", "non-negative integer 'records'")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[{\"name\":\"a.jsonl\",\"records\":\"3\"}]}", "non-negative integer 'records'")]
    [InlineData("{\"batch_id\":\"b\",\"source\":\"s\",\"window_start\":\"2026-11-21T10:00:00Z\",\"window_end\":\"2026-11-21T10:05:00Z\",\"files\":[{\"name\":\"a.json\",\"records\":3}]}", "not .jsonl, .jsonl.gz, .csv or .parquet")]
    public void Parse_WhenManifestIsInvalid_ThrowsNamingThePathAndTheProblem(string json, string problem)
    {
        var ex = Assert.Throws<ReconException>(() => BatchManifest.Parse(Encoding.UTF8.GetBytes(json), Path));

        Assert.Contains(Path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.jsonl", InputFormat.JsonLines)]
    [InlineData("a.JSONL", InputFormat.JsonLines)]
    [InlineData("a.jsonl.gz", InputFormat.JsonLinesGzip)]
    [InlineData("a.csv", InputFormat.Csv)]
    [InlineData("a.json", null)]
    [InlineData("a.gz", null)]
    public void InputFormatOf_ByExtensionIgnoringCase_RecognisesTheThreeInputFormats(string name, InputFormat? expected)
    {
        Assert.Equal(expected, BatchManifest.InputFormatOf(name));
    }
}
