using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Contracts;

namespace Recon.Storage.Local.Tests;

public sealed class SqliteArtifactIndexTests : ArtifactIndexContract
{
    private readonly TempFolder _folder = new();

    private string DatabasePath => _folder.File("index.db");

    protected override IArtifactIndex CreateIndex() => new SqliteArtifactIndex(DatabasePath);

    public override void Dispose()
    {
        base.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Rows_OfTwoVersionsPutNewestFirst_SurviveClosingAndReopeningTheDatabase()
    {
        var row = Row("ORD-1", 4, file: "runs/r-000004/part-0001.rpf", at: T0.AddTicks(7));
        using (var index = new SqliteArtifactIndex(DatabasePath))
        {
            await index.PutAsync([row, Row("ORD-1", 3)], Ct);
        }

        using var reopened = new SqliteArtifactIndex(DatabasePath);
        Assert.Equal(row, await reopened.GetLatestAsync("ORD-1", Ct));
        Assert.Equal(row, (await reopened.GetLatestManyAsync(["ORD-1"], Ct))[0]);
    }

    [Fact]
    public async Task Lookups_WhileAnotherThreadWrites_SeeOnlyCommittedRowsAndNeverAnOlderLatest()
    {
        var index = (SqliteArtifactIndex)Index;
        var ids = Enumerable.Range(0, 2000).Select(i => $"ORD-{i:D4}").ToArray();
        await index.PutAsync(ids.Select(id => Row(id, 1)).ToArray(), Ct);

        var writer = Task.Run(async () =>
        {
            for (long v = 2; v <= 20; v++)
            {
                await index.PutAsync(ids.Select(id => Row(id, v)).ToArray(), Ct);
            }
        });
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            long floor = 1;
            while (!writer.IsCompleted)
            {
                var rows = await index.GetLatestManyAsync(ids, Ct);
                // One call reads one snapshot: every id at the same version, which never goes down between calls.
                long version = rows[0]!.Value.Version;
                Assert.All(rows, r => Assert.Equal(version, r!.Value.Version));
                Assert.True(version >= floor);
                floor = version;
            }
        })).ToArray();

        await writer;
        await Task.WhenAll(readers);
        Assert.Equal(20, (await index.GetLatestAsync("ORD-1999", Ct))!.Value.Version);
    }

    [Fact]
    public async Task Put_OfAnIncompleteRow_ThrowsAndWritesNothing()
    {
        var rows = new[] { Row("ORD-1", 1), new IndexRow("ORD-2", 1, "", 0, 10, "r-1", T0) };

        await Assert.ThrowsAsync<ArgumentException>(async () => await Index.PutAsync(rows, Ct));

        Assert.Null(await Index.GetLatestAsync("ORD-1", Ct));
    }

    [Fact]
    public async Task TwoInstances_OnOneFile_SeeEachOthersRowsAndFiles()
    {
        using var other = new SqliteArtifactIndex(DatabasePath);
        await Index.PutAsync([Row("A", 1, file: "f-one.rpf")], Ct);

        await other.PutAsync([Row("B", 1, file: "f-two.rpf"), Row("A", 2, file: "f-one.rpf")], Ct);

        Assert.Equal("f-two.rpf", (await Index.GetLatestAsync("B", Ct))!.Value.File);
        Assert.Equal(("f-one.rpf", 2L), ((await Index.GetLatestAsync("A", Ct))!.Value.File, (await Index.GetLatestAsync("A", Ct))!.Value.Version));
    }
}
