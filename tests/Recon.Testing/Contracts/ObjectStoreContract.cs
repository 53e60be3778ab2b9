using System.Text;
using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Testing.Contracts;

/// <summary>What every <see cref="IObjectStore"/> adapter must do; subclasses supply the store.</summary>
public abstract class ObjectStoreContract : IDisposable
{
    private readonly Lazy<IObjectStore> _store;

    protected ObjectStoreContract()
    {
        _store = new Lazy<IObjectStore>(CreateStore);
    }

    /// <summary>Where tests stage files to publish; a local folder whatever the adapter.</summary>
    protected TempFolder Staging { get; } = new();

    protected IObjectStore Store => _store.Value;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A new, empty store private to the calling test.</summary>
    protected abstract IObjectStore CreateStore();

    public virtual void Dispose()
    {
        if (_store.IsValueCreated && _store.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }

        Staging.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Read_AtOffset_ReturnsTheBytesAtThatOffset()
    {
        await Store.PutAsync("a/obj", Bytes("0123456789"), Ct);

        var buffer = new byte[4];
        int n = await Store.ReadAsync("a/obj", 3, buffer, Ct);

        Assert.Equal(4, n);
        Assert.Equal("3456", Encoding.ASCII.GetString(buffer));
    }

    [Fact]
    public async Task Read_RunningPastTheEnd_ReturnsOnlyTheRemainingBytes()
    {
        await Store.PutAsync("a/obj", Bytes("0123456789"), Ct);

        var buffer = new byte[8];
        int n = await Store.ReadAsync("a/obj", 7, buffer, Ct);

        Assert.Equal(3, n);
        Assert.Equal("789", Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public async Task Read_AtOrBeyondTheEnd_ReturnsZero()
    {
        await Store.PutAsync("a/obj", Bytes("0123456789"), Ct);

        Assert.Equal(0, await Store.ReadAsync("a/obj", 10, new byte[4], Ct));
        Assert.Equal(0, await Store.ReadAsync("a/obj", 1000, new byte[4], Ct));
    }

    [Fact]
    public async Task Read_ManyRangesOfALargeObject_ReturnsEachRangeExactly()
    {
        var content = new byte[3 << 20];
        new Random(7).NextBytes(content);
        await Store.PutAsync("big", content, Ct);

        var random = new Random(11);
        for (int i = 0; i < 200; i++)
        {
            int offset = random.Next(content.Length);
            var buffer = new byte[random.Next(1, 70_000)];
            int n = await Store.ReadAsync("big", offset, buffer, Ct);

            Assert.Equal(Math.Min(buffer.Length, content.Length - offset), n);
            Assert.True(content.AsSpan(offset, n).SequenceEqual(buffer.AsSpan(0, n)), $"range at {offset} differs");
        }
    }

    [Fact]
    public async Task Read_WhenObjectMissing_ThrowsObjectMissingNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<ReconException>(async () => await Store.ReadAsync("runs/nope.rpf", 0, new byte[4], Ct));

        Assert.Contains("'runs/nope.rpf'", error.Message, StringComparison.Ordinal);
        Assert.Equal(ReconErrors.ObjectMissing("runs/nope.rpf").Message, error.Message);
    }

    [Fact]
    public async Task Publish_OfAStagedFile_ConsumesTheLocalFileAndMakesItReadable()
    {
        string local = StageFile("part.rpf", "hello part-file");

        await Store.PublishAsync("runs/r-000001/part-0000.rpf", local, Ct);

        Assert.False(File.Exists(local));
        Assert.Equal("hello part-file", await ReadAll("runs/r-000001/part-0000.rpf"));
    }

    [Fact]
    public async Task Publish_WhenKeyExists_ReplacesIt()
    {
        await Store.PublishAsync("p/part", StageFile("one", "first version"), Ct);

        // A retried step publishes the same key again with its (possibly different) output.
        await Store.PublishAsync("p/part", StageFile("two", "second"), Ct);

        Assert.Equal("second", await ReadAll("p/part"));
        Assert.Equal(6L, await Store.GetLengthAsync("p/part", Ct));
    }

    // Virtual only so that an adapter whose test server cannot replace objects atomically (s3rver writes them in
    // place; S3 itself replaces atomically) can override it with a skip that says so.
    [Fact]
    public virtual async Task Publish_WhenKeyExists_ReplacesItAtomically()
    {
        const int size = 1 << 20;
        await Store.PublishAsync("p/part", StageBytes("initial", Filled(size, (byte)'A')), Ct);
        using var stop = new CancellationTokenSource();
        long reads = 0;
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[size];
            while (!stop.IsCancellationRequested)
            {
                int n = await Store.ReadAsync("p/part", 0, buffer, Ct);
                // A reader sees one whole version or the other, never a missing, short or mixed object.
                Assert.Equal(size, n);
                byte first = buffer[0];
                Assert.True(first is (byte)'A' or (byte)'B', $"unexpected byte {first}");
                Assert.Equal(-1, buffer.AsSpan().IndexOfAnyExcept(first));
                Interlocked.Increment(ref reads);
            }
        });

        // Publish until the reader has overlapped a good number of replacements, however the threads are scheduled.
        int publishes = 0;
        while (publishes < 40 || (Interlocked.Read(ref reads) < 20 && publishes < 10_000))
        {
            byte fill = publishes % 2 == 0 ? (byte)'B' : (byte)'A';
            await Store.PublishAsync("p/part", StageBytes($"v{publishes}", Filled(size, fill)), Ct);
            publishes++;
        }

        if (publishes % 2 == 1)
        {
            await Store.PublishAsync("p/part", StageBytes("last", Filled(size, (byte)'A')), Ct);
        }

        await stop.CancelAsync();
        await reader;
        Assert.True(Interlocked.Read(ref reads) >= 20);
        var last = new byte[1];
        await Store.ReadAsync("p/part", size - 1, last, Ct);
        Assert.Equal((byte)'A', last[0]);
    }

    [Fact]
    public async Task Read_AfterTheKeyIsRepublished_SeesTheNewContent()
    {
        await Store.PutAsync("k", Bytes("old-old-old"), Ct);
        Assert.Equal("old-old-old", await ReadAll("k"));

        await Store.PublishAsync("k", StageFile("n", "new"), Ct);
        Assert.Equal("new", await ReadAll("k"));

        await Store.PutAsync("k", Bytes("put again"), Ct);
        Assert.Equal("put again", await ReadAll("k"));
    }

    [Fact]
    public async Task Read_AfterDelete_ThrowsObjectMissing()
    {
        await Store.PutAsync("k", Bytes("x"), Ct);
        Assert.Equal("x", await ReadAll("k"));

        await Store.DeleteAsync("k", Ct);

        await Assert.ThrowsAsync<ReconException>(async () => await Store.ReadAsync("k", 0, new byte[1], Ct));
        Assert.Null(await Store.GetLengthAsync("k", Ct));
    }

    [Fact]
    public async Task Delete_WhenObjectMissing_DoesNothing()
    {
        await Store.DeleteAsync("never/was", Ct);

        Assert.Null(await Store.GetLengthAsync("never/was", Ct));
    }

    [Fact]
    public async Task GetLength_OfFilledEmptyAndMissingKeys_ReturnsTheSizeOrNullWhenMissing()
    {
        await Store.PutAsync("a/b/c", new byte[1234], Ct);
        await Store.PutAsync("a/empty", ReadOnlyMemory<byte>.Empty, Ct);

        Assert.Equal(1234L, await Store.GetLengthAsync("a/b/c", Ct));
        Assert.Equal(0L, await Store.GetLengthAsync("a/empty", Ct));
        Assert.Null(await Store.GetLengthAsync("a/b", Ct));
        Assert.Null(await Store.GetLengthAsync("zzz", Ct));
    }

    [Fact]
    public async Task OpenRead_OfAnExistingObject_StreamsTheWholeObject()
    {
        var content = new byte[200_000];
        new Random(3).NextBytes(content);
        await Store.PutAsync("s/obj", content, Ct);

        await using var stream = await Store.OpenReadAsync("s/obj", Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task OpenRead_WhenObjectMissing_ThrowsObjectMissing()
    {
        var error = await Assert.ThrowsAsync<ReconException>(async () => await Store.OpenReadAsync("s/missing", Ct));

        Assert.Contains("'s/missing'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_OfMixedCaseAndPunctuatedKeys_ReturnsEveryObjectInOrdinalKeyOrderWithLengths()
    {
        // No key is also a "folder" of another: a local folder cannot hold both a file and a folder named a/b.
        string[] keys = ["b", "a/z", "a/b", "A", "a-b", "a/c/d", "a0"];
        for (int i = 0; i < keys.Length; i++)
        {
            await Store.PutAsync(keys[i], new byte[i + 1], Ct);
        }

        var listed = await List("");

        // '-' (0x2D) < '/' (0x2F) < '0' (0x30) < 'A' < 'a': the byte order S3 uses, not the culture's.
        Assert.Equal(["A", "a-b", "a/b", "a/c/d", "a/z", "a0", "b"], listed.Select(e => e.Key));
        Assert.Equal(Array.IndexOf(keys, "a/c/d") + 1, listed.Single(e => e.Key == "a/c/d").Length);
        Assert.Equal(1, listed.Single(e => e.Key == "b").Length);
    }

    [Fact]
    public async Task List_WithPrefix_ReturnsOnlyKeysStartingWithIt()
    {
        foreach (var key in new[] { "runs/r-000042/p-0.rpf", "runs/r-000042/p-1.rpf", "runs/r-000043/p-0.rpf", "runs/r-000420/x", "runs-old/x", "inbox/a" })
        {
            await Store.PutAsync(key, Bytes(key), Ct);
        }

        Assert.Equal(["runs/r-000042/p-0.rpf", "runs/r-000042/p-1.rpf"], (await List("runs/r-000042/")).Select(e => e.Key));
        Assert.Equal(["runs/r-000042/p-0.rpf", "runs/r-000042/p-1.rpf", "runs/r-000043/p-0.rpf"], (await List("runs/r-00004")).Select(e => e.Key));
        Assert.Equal(["runs/r-000420/x"], (await List("runs/r-0004")).Select(e => e.Key));
        Assert.Equal(["runs-old/x", "runs/r-000042/p-0.rpf", "runs/r-000042/p-1.rpf", "runs/r-000043/p-0.rpf", "runs/r-000420/x"], (await List("runs")).Select(e => e.Key));
        Assert.Equal(["runs/r-000043/p-0.rpf"], (await List("runs/r-000043/p-0.rpf")).Select(e => e.Key));
        Assert.Empty(await List("nothing/here/"));
        Assert.Empty(await List("runs/r-0009"));
    }

    [Fact]
    public async Task List_AfterDelete_NoLongerReturnsTheKey()
    {
        await Store.PutAsync("d/1", Bytes("1"), Ct);
        await Store.PutAsync("d/2", Bytes("2"), Ct);

        await Store.DeleteAsync("d/1", Ct);

        Assert.Equal(["d/2"], (await List("d/")).Select(e => e.Key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("..")]
    [InlineData("../outside")]
    [InlineData("a/../../outside")]
    [InlineData("a/./b")]
    [InlineData("a\\b")]
    [InlineData("a//b")]
    [InlineData("a/")]
    public async Task Operations_WithAnInvalidKey_ThrowArgumentException(string key)
    {
        string local = StageFile("valid", "content");

        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.PutAsync(key, Bytes("x"), Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.PublishAsync(key, local, Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.ReadAsync(key, 0, new byte[1], Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.OpenReadAsync(key, Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.GetLengthAsync(key, Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.DeleteAsync(key, Ct));
        Assert.True(File.Exists(local), "a rejected publish must not consume the local file");
    }

    [Theory]
    [InlineData("/abs")]
    [InlineData("../x")]
    [InlineData("a\\b")]
    public async Task List_WithAnInvalidPrefix_ThrowsArgumentException(string prefix)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await List(prefix));
    }

    [Fact]
    public async Task InvalidKeyError_ForADotDotSegment_SaysWhatIsWrong()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await Store.PutAsync("a/../b", Bytes("x"), Ct));

        Assert.Contains("'a/../b'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'..'", error.Message, StringComparison.Ordinal);
    }

    protected static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    protected string StageFile(string name, string content) => StageBytes(name, Bytes(content));

    protected string StageBytes(string name, byte[] content)
    {
        string path = Staging.File(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    protected async Task<string> ReadAll(string key)
    {
        long length = await Store.GetLengthAsync(key, Ct) ?? throw new InvalidOperationException($"{key} missing");
        var buffer = new byte[length + 16];
        int n = await Store.ReadAsync(key, 0, buffer, Ct);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    protected async Task<List<ObjectEntry>> List(string prefix)
    {
        var entries = new List<ObjectEntry>();
        await foreach (var e in Store.ListAsync(prefix, Ct))
        {
            entries.Add(e);
        }

        return entries;
    }

    protected static byte[] Filled(int size, byte value)
    {
        var bytes = new byte[size];
        bytes.AsSpan().Fill(value);
        return bytes;
    }
}
