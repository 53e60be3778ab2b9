using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Contracts;

namespace Recon.Storage.Local.Tests;

public sealed class LocalFolderObjectStoreTests : ObjectStoreContract
{
    private readonly TempFolder _root = new();
    private readonly List<LocalFolderObjectStore> _extraStores = [];

    protected override IObjectStore CreateStore() => new LocalFolderObjectStore(_root.Path);

    public override void Dispose()
    {
        foreach (var store in _extraStores)
        {
            store.Dispose();
        }

        base.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Publish_OfAStagedFile_StoresTheObjectAtItsPathUnderTheRoot()
    {
        await Store.PublishAsync("runs/r-000001/p.rpf", StageFile("p", "abc"), Ct);

        Assert.Equal("abc", await File.ReadAllTextAsync(Path.Combine(_root.Path, "runs", "r-000001", "p.rpf")));
    }

    [Fact]
    public async Task Publish_ReplacingAnObject_LeavesNoStagingFileBehind()
    {
        await Store.PublishAsync("p/x", StageFile("a", "1"), Ct);
        await Store.PublishAsync("p/x", StageFile("b", "2"), Ct);
        await Store.PutAsync("p/y", Bytes("3"), Ct);

        Assert.Equal(["x", "y"], Directory.GetFiles(Path.Combine(_root.Path, "p")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Publish_WhenLocalFileMissing_ThrowsAndKeepsTheExistingObject()
    {
        await Store.PutAsync("p/x", Bytes("kept"), Ct);

        await Assert.ThrowsAsync<FileNotFoundException>(async () => await Store.PublishAsync("p/x", Staging.File("absent"), Ct));

        Assert.Equal("kept", await ReadAll("p/x"));
    }

    [Fact]
    public async Task List_AfterAnInterruptedPublish_SkipsStagingFiles()
    {
        await Store.PutAsync("p/real", Bytes("1"), Ct);
        // What a publish interrupted by a crash leaves behind.
        await File.WriteAllTextAsync(Path.Combine(_root.Path, "p", ".recon-tmp-0123456789abcdef"), "half");

        Assert.Equal(["p/real"], (await List("")).Select(e => e.Key));
    }

    [Fact]
    public async Task Keys_UsingTheStagingPrefix_AreRejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.PutAsync("p/.recon-tmp-x", Bytes("1"), Ct));
    }

    [Fact]
    public async Task Read_OfManyObjects_KeepsOpenHandlesWithinTheBound()
    {
        var store = Track(new LocalFolderObjectStore(_root.Path, maxOpenHandles: 4));
        for (int i = 0; i < 20; i++)
        {
            await store.PutAsync($"o/{i:D2}", Bytes($"object {i:D2}"), Ct);
        }

        var buffer = new byte[9];
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 20; i++)
            {
                int n = await store.ReadAsync($"o/{i:D2}", 0, buffer, Ct);
                Assert.Equal($"object {i:D2}", System.Text.Encoding.UTF8.GetString(buffer, 0, n));
                Assert.InRange(store.OpenHandleCount, 1, 4);
            }
        }
    }

    [Fact]
    public async Task Read_ConcurrentlyWhileHandlesAreEvicted_AlwaysReturnsTheRightBytes()
    {
        var store = Track(new LocalFolderObjectStore(_root.Path, maxOpenHandles: 2));
        for (int i = 0; i < 8; i++)
        {
            var content = new byte[4096];
            content.AsSpan().Fill((byte)i);
            await store.PutAsync($"c/{i}", content, Ct);
        }

        await Parallel.ForAsync(0, 20_000, async (n, ct) =>
        {
            int i = n % 8;
            var buffer = new byte[64];
            int got = await store.ReadAsync($"c/{i}", n % 4000, buffer, ct);
            Assert.Equal(64, got);
            Assert.Equal(-1, buffer.AsSpan().IndexOfAnyExcept((byte)i));
        });
        Assert.InRange(store.OpenHandleCount, 1, 2);
    }

    [Fact]
    public async Task Dispose_WithTwoOpenHandles_ClosesEveryHandleAndRefusesFurtherReads()
    {
        var store = new LocalFolderObjectStore(_root.Path);
        await store.PutAsync("h/1", Bytes("1"), Ct);
        await store.PutAsync("h/2", Bytes("2"), Ct);
        await store.ReadAsync("h/1", 0, new byte[1], Ct);
        await store.ReadAsync("h/2", 0, new byte[1], Ct);
        Assert.Equal(2, store.OpenHandleCount);

        store.Dispose();

        Assert.Equal(0, store.OpenHandleCount);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.ReadAsync("h/1", 0, new byte[1], Ct));
    }

    [Fact]
    public async Task Read_AfterAnotherStoreReplacedTheObject_SeesItOnceTheHandleIsReopened()
    {
        // Two stores on one folder share no handle cache; a fresh store always sees the current file.
        await Store.PutAsync("x", Bytes("one"), Ct);
        Assert.Equal("one", await ReadAll("x"));
        var other = Track(new LocalFolderObjectStore(_root.Path));

        await other.PutAsync("x", Bytes("two"), Ct);

        var buffer = new byte[3];
        await other.ReadAsync("x", 0, buffer, Ct);
        Assert.Equal("two", System.Text.Encoding.UTF8.GetString(buffer));
    }

    private LocalFolderObjectStore Track(LocalFolderObjectStore store)
    {
        _extraStores.Add(store);
        return store;
    }
}
