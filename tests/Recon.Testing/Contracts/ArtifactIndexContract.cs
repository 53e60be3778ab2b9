using Recon.Core.Ports;

namespace Recon.Testing.Contracts;

/// <summary>What every <see cref="IArtifactIndex"/> adapter must do; subclasses supply the index.</summary>
public abstract class ArtifactIndexContract : IDisposable
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private readonly Lazy<IArtifactIndex> _index;

    protected ArtifactIndexContract()
    {
        _index = new Lazy<IArtifactIndex>(CreateIndex);
    }

    protected IArtifactIndex Index => _index.Value;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A new, empty index private to the calling test.</summary>
    protected abstract IArtifactIndex CreateIndex();

    public virtual void Dispose()
    {
        if (_index.IsValueCreated && _index.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task GetLatest_AfterPut_ReturnsTheRowAsWritten()
    {
        var row = Row("ORD-1", 1, file: "runs/r-000001/part-0003.rpf", offset: 123_456_789_012, length: 4321, at: T0.AddTicks(1234567));

        await Index.PutAsync([row], Ct);

        Assert.Equal(row, await Index.GetLatestAsync("ORD-1", Ct));
    }

    [Fact]
    public async Task GetLatest_OfAnUnknownId_ReturnsNull()
    {
        await Index.PutAsync([Row("ORD-1", 1)], Ct);

        Assert.Null(await Index.GetLatestAsync("ORD-2", Ct));
        Assert.Null(await Index.GetLatestAsync("ord-1", Ct));
    }

    [Fact]
    public async Task Put_OfARowAlreadyPresent_LeavesTheFirstOneAsItIs()
    {
        var first = Row("ORD-1", 1, offset: 10);
        await Index.PutAsync([first], Ct);

        await Index.PutAsync([first], Ct);
        await Index.PutAsync([first with { Offset = 999, File = "other.rpf" }], Ct);

        Assert.Equal([first], await Index.GetHistoryAsync("ORD-1", Ct));
    }

    [Fact]
    public async Task Put_OfAnOlderVersionAfterANewerOne_KeepsTheNewerOneLatest()
    {
        await Index.PutAsync([Row("ORD-1", 3, offset: 300)], Ct);

        await Index.PutAsync([Row("ORD-1", 2, offset: 200)], Ct);

        var latest = await Index.GetLatestAsync("ORD-1", Ct);
        Assert.Equal(3, latest!.Value.Version);
        Assert.Equal(300, latest.Value.Offset);
        Assert.Equal(3, (await Index.GetLatestManyAsync(["ORD-1"], Ct))[0]!.Value.Version);
        Assert.Equal([2L, 3L], (await Index.GetHistoryAsync("ORD-1", Ct)).Select(r => r.Version));
    }

    [Fact]
    public async Task Put_OfANewerVersion_MovesLatestForward()
    {
        await Index.PutAsync([Row("ORD-1", 1)], Ct);
        await Index.PutAsync([Row("ORD-1", 2), Row("ORD-2", 1)], Ct);

        Assert.Equal(2, (await Index.GetLatestAsync("ORD-1", Ct))!.Value.Version);
    }

    [Fact]
    public async Task GetLatestMany_OfKnownUnknownAndRepeatedIds_ReturnsRowsAlignedWithTheIdsAndNullForUnknownOnes()
    {
        await Index.PutAsync([Row("B", 1), Row("A", 1), Row("A", 2), Row("C", 5)], Ct);

        var rows = await Index.GetLatestManyAsync(["C", "X", "A", "B", "A", "Y"], Ct);

        Assert.Equal(6, rows.Length);
        Assert.Equal(("C", 5L), (rows[0]!.Value.ArtifactId, rows[0]!.Value.Version));
        Assert.Null(rows[1]);
        Assert.Equal(("A", 2L), (rows[2]!.Value.ArtifactId, rows[2]!.Value.Version));
        Assert.Equal(("B", 1L), (rows[3]!.Value.ArtifactId, rows[3]!.Value.Version));
        Assert.Equal(rows[2], rows[4]);
        Assert.Null(rows[5]);
    }

    [Fact]
    public async Task GetLatestMany_OfNoIds_ReturnsAnEmptyArray()
    {
        Assert.Empty(await Index.GetLatestManyAsync([], Ct));
    }

    [Fact]
    public async Task GetLatestMany_WithIdsNeedingEscapes_FindsThemExactly()
    {
        string[] ids = ["quote\"id", "back\\slash", "ünïcødé-€", "tab\tid", "[1,2]", "emoji-😀"];
        await Index.PutAsync(ids.Select((id, i) => Row(id, i + 1)).ToArray(), Ct);

        var rows = await Index.GetLatestManyAsync([.. ids, "quote"], Ct);

        for (int i = 0; i < ids.Length; i++)
        {
            Assert.Equal(ids[i], rows[i]!.Value.ArtifactId);
            Assert.Equal(i + 1, rows[i]!.Value.Version);
        }

        Assert.Null(rows[^1]);
    }

    [Fact]
    public async Task GetLatestMany_OfThousandsOfIds_MatchesSingleLookups()
    {
        var rows = Enumerable.Range(0, 5000).Select(i => Row($"ORD-{i:D5}", 1 + (i % 3), file: $"part-{i % 7}.rpf", offset: i * 100L)).ToArray();
        await Index.PutAsync(rows, Ct);
        var ids = Enumerable.Range(0, 6000).Select(i => i % 2 == 0 ? $"ORD-{i:D5}" : $"NONE-{i}").ToArray();

        var many = await Index.GetLatestManyAsync(ids, Ct);

        for (int i = 0; i < ids.Length; i += 37)
        {
            Assert.Equal(await Index.GetLatestAsync(ids[i], Ct), many[i]);
        }

        Assert.Equal(2500, many.Count(r => r is not null));
        Assert.Equal(rows[4998], many[4998]);
    }

    [Fact]
    public async Task GetHistory_OfVersionsPutOutOfOrder_ReturnsEveryVersionOldestFirst()
    {
        await Index.PutAsync([Row("ORD-1", 2, at: T0.AddMinutes(2)), Row("ORD-1", 10, at: T0.AddMinutes(10))], Ct);
        await Index.PutAsync([Row("ORD-1", 1, at: T0.AddMinutes(1)), Row("ORD-2", 1)], Ct);

        var history = await Index.GetHistoryAsync("ORD-1", Ct);

        Assert.Equal([1L, 2L, 10L], history.Select(r => r.Version));
        Assert.Equal(T0.AddMinutes(10), history[2].UpdatedAt);
        Assert.Empty(await Index.GetHistoryAsync("ORD-9", Ct));
    }

    [Fact]
    public async Task GetAsOf_AtTimesAroundEachVersion_ReturnsTheHighestVersionWrittenAtOrBeforeTheTime()
    {
        await Index.PutAsync([Row("ORD-1", 1, at: T0), Row("ORD-1", 2, at: T0.AddMinutes(5)), Row("ORD-1", 3, at: T0.AddMinutes(10))], Ct);

        Assert.Null(await Index.GetAsOfAsync("ORD-1", T0.AddTicks(-1), Ct));
        Assert.Equal(1, (await Index.GetAsOfAsync("ORD-1", T0, Ct))!.Value.Version);
        Assert.Equal(1, (await Index.GetAsOfAsync("ORD-1", T0.AddMinutes(5).AddTicks(-1), Ct))!.Value.Version);
        Assert.Equal(2, (await Index.GetAsOfAsync("ORD-1", T0.AddMinutes(5), Ct))!.Value.Version);
        Assert.Equal(3, (await Index.GetAsOfAsync("ORD-1", T0.AddDays(1), Ct))!.Value.Version);
        Assert.Null(await Index.GetAsOfAsync("ORD-2", T0.AddDays(1), Ct));
    }

    [Fact]
    public async Task GetAsOf_WithANonUtcOffset_ComparesPointsInTimeWhateverTheOffset()
    {
        await Index.PutAsync([Row("ORD-1", 1, at: T0), Row("ORD-1", 2, at: T0.AddHours(1))], Ct);

        // 10:30+01:00 is 09:30Z, before version 1 was written.
        Assert.Null(await Index.GetAsOfAsync("ORD-1", new DateTimeOffset(2026, 11, 21, 10, 30, 0, TimeSpan.FromHours(1)), Ct));
        // 06:00-05:00 is 11:00Z, exactly when version 2 was written.
        Assert.Equal(2, (await Index.GetAsOfAsync("ORD-1", new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.FromHours(-5)), Ct))!.Value.Version);
    }

    [Fact]
    public async Task Scan_AllVersions_ReturnsEveryRowOrderedByIdThenVersion()
    {
        await Index.PutAsync([Row("B", 2), Row("A", 1), Row("B", 1), Row("C", 1), Row("A", 3)], Ct);

        var rows = await Scan(latestOnly: false);

        Assert.Equal([("A", 1L), ("A", 3L), ("B", 1L), ("B", 2L), ("C", 1L)], rows.Select(r => (r.ArtifactId, r.Version)));
    }

    [Fact]
    public async Task Scan_LatestOnly_ReturnsEachIdsHighestVersionWithItsOwnRow()
    {
        await Index.PutAsync([Row("B", 2, offset: 22), Row("A", 1, offset: 11), Row("B", 1, offset: 21), Row("C", 1, offset: 31), Row("A", 3, offset: 13)], Ct);

        var rows = await Scan(latestOnly: true);

        Assert.Equal([("A", 3L, 13L), ("B", 2L, 22L), ("C", 1L, 31L)], rows.Select(r => (r.ArtifactId, r.Version, r.Offset)));
    }

    [Fact]
    public async Task Clear_OfAFilledIndex_RemovesEveryRowAndTheIndexCanBeRebuilt()
    {
        await Index.PutAsync([Row("A", 1), Row("B", 1)], Ct);

        await Index.ClearAsync(Ct);

        Assert.Null(await Index.GetLatestAsync("A", Ct));
        Assert.Empty(await Scan(latestOnly: false));
        await Index.PutAsync([Row("A", 1, file: "rebuilt.rpf")], Ct);
        Assert.Equal("rebuilt.rpf", (await Index.GetLatestAsync("A", Ct))!.Value.File);
    }

    [Fact]
    public async Task Put_OfRowsFromManyFiles_KeepsEachRowsFile()
    {
        var rows = Enumerable.Range(0, 50).Select(i => Row($"ID-{i:D2}", 1, file: $"runs/r-{i % 4:D6}/part-{i % 5}.rpf", run: $"r-{i % 4:D6}")).ToArray();

        await Index.PutAsync(rows, Ct);

        Assert.Equal(rows, await Scan(latestOnly: false));
    }

    protected static IndexRow Row(string id, long version, string file = "runs/r-000001/part-0000.rpf", long offset = 64, int length = 100, string run = "r-000001", DateTimeOffset? at = null) =>
        new(id, version, file, offset, length, run, at ?? T0);

    protected async Task<List<IndexRow>> Scan(bool latestOnly)
    {
        var rows = new List<IndexRow>();
        await foreach (var row in Index.ScanAsync(latestOnly, Ct))
        {
            rows.Add(row);
        }

        return rows;
    }
}
