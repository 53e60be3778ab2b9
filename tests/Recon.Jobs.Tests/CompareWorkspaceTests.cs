using System.Text;
using Recon.Core;
using Recon.Jobs.Compare;
using Recon.Storage.Local;
using Recon.Testing;

namespace Recon.Jobs.Tests;

/// <summary>The object store work area of a compare (what Lambda steps share), on the embedded folder store.</summary>
public sealed class CompareWorkspaceTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly LocalFolderObjectStore _store;
    private readonly CompareWorkspace _work;

    public CompareWorkspaceTests()
    {
        _store = new LocalFolderObjectStore(_dir.File("store"));
        _work = CompareWorkspace.ObjectStore(_store, _dir.File("scratch"), "s3://bucket/recon/jobs");
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    private async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var entry in _store.ListAsync(prefix, CancellationToken.None))
        {
            keys.Add(entry.Key);
        }

        return keys;
    }

    [Fact]
    public async Task Push_AFolderAgain_ReplacesItWholeSoAFileOfAnEarlierAttemptIsNotReadAsMoreRows()
    {
        await _store.PutAsync("compare/j1/source/__p=0/data_1.parquet", Encoding.UTF8.GetBytes("from an earlier attempt"), CancellationToken.None);
        await _store.PutAsync("compare/j1/target/__p=0/data_0.parquet", Encoding.UTF8.GetBytes("the other side stays"), CancellationToken.None);
        var local = await _work.PullAsync("compare/j1", "prepare", [], CancellationToken.None);
        Directory.CreateDirectory(Path.Combine(local, "source", "__p=0"));
        File.WriteAllText(Path.Combine(local, "source", "__p=0", "data_0.parquet"), "this attempt");

        await _work.PushAsync("compare/j1", local, ["source/"], CancellationToken.None);
        _work.Release(local);

        Assert.Equal(["compare/j1/source/__p=0/data_0.parquet"], await KeysAsync("compare/j1/source/"));
        Assert.Equal(["compare/j1/target/__p=0/data_0.parquet"], await KeysAsync("compare/j1/target/"));
        Assert.False(Directory.Exists(local));
    }

    [Fact]
    public async Task Pull_AMissingPart_NamesWhereItShouldBeAndLeavesNoScratch()
    {
        var error = await Assert.ThrowsAsync<ReconException>(async () => await _work.PullAsync("compare/j2", "report", ["plan.json"], CancellationToken.None));

        Assert.Contains("'s3://bucket/recon/jobs/compare/j2/plan.json' is missing", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(_dir.File("scratch")) ? Directory.EnumerateFileSystemEntries(_dir.File("scratch")) : []);
    }

    [Theory]
    [InlineData("../ledger")]
    [InlineData("compare/../../x")]
    [InlineData("/compare/j1")]
    [InlineData("compare//j1")]
    [InlineData("compare/j 1")]
    public async Task Pull_AWorkNameOutsideTheJobsPrefix_IsRefused(string work)
    {
        var error = await Assert.ThrowsAsync<ReconException>(async () => await _work.PullAsync(work, "prepare", ["spec.json"], CancellationToken.None));

        Assert.Contains("is not a key prefix of the job store", error.Message, StringComparison.Ordinal);
    }
}
