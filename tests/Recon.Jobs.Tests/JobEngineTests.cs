using Recon.Jobs.Engine;
using Recon.Testing;

namespace Recon.Jobs.Tests;

/// <summary>Opens engines, so it runs beside the gauge test's collection, never during it.</summary>
[Collection(nameof(EngineGauge))]
public sealed class JobEngineTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Engines_OnOneWorkFolderAndOneTempDirectory_SpillIntoFoldersOfTheirOwnRemovedOnDispose()
    {
        var options = new JobEngineOptions { TempDirectory = _dir.File("spill") };
        string first, second;
        using (var a = new JobEngine(options, _dir.Path))
        using (var b = new JobEngine(options, _dir.Path))
        {
            first = a.Scalar<string>("SELECT current_setting('temp_directory')")!;
            second = b.Scalar<string>("SELECT current_setting('temp_directory')")!;
            Assert.NotEqual(first, second);
            Assert.StartsWith(_dir.File("spill"), first, StringComparison.Ordinal);
            Assert.True(Directory.Exists(first));
            Assert.True(Directory.Exists(second));
        }

        Assert.False(Directory.Exists(first));
        Assert.False(Directory.Exists(second));
    }

    [Fact]
    public async Task Engines_SpillingAtTheSameTimeIntoOneWorkFolder_EachReadBackTheirOwnRows()
    {
        // Each engine sorts 1.5M rows of 32-character text under a 24 MB limit, so both spill at once; the rows come
        // back in order and add up to sums computed here, per engine (the ranges differ, so a block read from the
        // other engine's spill shows as a wrong sum).
        const long Rows = 1_500_000;
        var options = new JobEngineOptions { MemoryLimit = "24MB", Threads = 1 };
        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(k => Task.Run(() =>
        {
            using var e = new JobEngine(options, _dir.Path);
            long count = 0, sum = 0;
            string? previous = null;
            bool ordered = true;
            using var r = e.Reader($"SELECT i, md5(CAST(i AS VARCHAR)) AS s FROM range({k * Rows}, {(k + 1) * Rows}) t(i) ORDER BY s");
            while (r.Read())
            {
                count++;
                sum += r.GetInt64(0);
                var s = r.GetString(1);
                ordered &= previous is null || string.CompareOrdinal(previous, s) <= 0;
                previous = s;
            }

            return (k, count, sum, ordered);
        }))).ConfigureAwait(true);

        foreach (var (k, count, sum, ordered) in results)
        {
            long from = k * Rows, to = (k + 1) * Rows - 1;
            Assert.Equal(Rows, count);
            Assert.Equal((from + to) * Rows / 2, sum);
            Assert.True(ordered);
        }
    }
}
