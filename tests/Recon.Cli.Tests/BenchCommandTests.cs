namespace Recon.Cli.Tests;

/// <summary>
/// The embedded bench at tiny sizes: it runs through the workflow pipeline and reports the cold/warm lookup passes.
/// (The aws variant is exercised by tools/bench-aws.sh: this project does not reference Recon.Testing's servers.)
/// </summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Bench_SmallStateAtConcurrencyFour_ReportsColdAndWarmLookupPassesWithTheirHitsAndMisses()
    {
        using var cli = new CliHarness();
        var (exit, output, err) = await cli.WithDataAsync("bench", "--artifacts", "200", "--events", "400", "--lookups", "50", "--concurrency", "4",
            "--partitions", "2", "--json");
        Assert.True(exit == 0, err);
        var json = CliHarness.Json(output);
        Assert.Equal("local", json.GetProperty("backend").GetString());
        Assert.Equal(200, json.GetProperty("indexed_rows").GetInt64());
        Assert.True(json.GetProperty("index_rows_per_second").GetDouble() > 0);
        var passes = json.GetProperty("lookup_passes").EnumerateArray().ToList();
        Assert.Equal(["cold", "warm", "cold", "warm"], passes.Select(p => p.GetProperty("cache").GetString()));
        Assert.Equal([1, 1, 4, 4], passes.Select(p => p.GetProperty("concurrency").GetInt32()));
        foreach (var p in passes)
        {
            bool warm = p.GetProperty("cache").GetString() == "warm";
            Assert.Equal(50, p.GetProperty("lookups").GetInt64());
            Assert.Equal(warm ? 50 : 0, p.GetProperty("cache_hits").GetInt64());
            Assert.Equal(warm ? 0 : 50, p.GetProperty("cache_misses").GetInt64());
        }

        Assert.Empty(Directory.EnumerateDirectories(cli.Data, "bench-*"));
    }
}
