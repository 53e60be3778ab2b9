using Recon.Core.Ports;

namespace Recon.Testing.Contracts;

/// <summary>What every <see cref="IArtifactCache"/> adapter must do; subclasses supply the cache.</summary>
public abstract class ArtifactCacheContract : IDisposable
{
    private readonly Lazy<IArtifactCache> _cache;

    protected ArtifactCacheContract()
    {
        _cache = new Lazy<IArtifactCache>(CreateCache);
    }

    protected IArtifactCache Cache => _cache.Value;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A new, empty cache private to the calling test, with room for at least a few MiB.</summary>
    protected abstract IArtifactCache CreateCache();

    public virtual void Dispose()
    {
        if (_cache.IsValueCreated && _cache.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task GetMany_WhenNothingWasSet_FillsEverySlotWithNull()
    {
        var into = new byte[]?[] { [1], [2], [3] };

        await Cache.GetManyAsync([Key("ORD-1", 1), Key("ORD-2", 1), Key("ORD-3", 7)], into, Ct);

        Assert.All(into, Assert.Null);
    }

    [Fact]
    public async Task GetMany_AfterSetMany_ReturnsValuesAlignedWithTheKeys()
    {
        await Cache.SetManyAsync([Item("ORD-1", 1, "one"), Item("ORD-3", 2, "three")], Ct);
        var into = new byte[]?[4];

        await Cache.GetManyAsync([Key("ORD-3", 2), Key("ORD-2", 1), Key("ORD-1", 1), Key("ORD-4", 1)], into, Ct);

        Assert.Equal("three", Text(into[0]));
        Assert.Null(into[1]);
        Assert.Equal("one", Text(into[2]));
        Assert.Null(into[3]);
    }

    [Fact]
    public async Task Versions_OfOneArtifactId_AreSeparateEntries()
    {
        await Cache.SetManyAsync([Item("ORD-1", 1, "v1")], Ct);
        var into = new byte[]?[2];

        await Cache.GetManyAsync([Key("ORD-1", 1), Key("ORD-1", 2)], into, Ct);
        Assert.Equal("v1", Text(into[0]));
        Assert.Null(into[1]);

        await Cache.SetManyAsync([Item("ORD-1", 2, "v2")], Ct);
        await Cache.GetManyAsync([Key("ORD-1", 1), Key("ORD-1", 2)], into, Ct);
        Assert.Equal("v1", Text(into[0]));
        Assert.Equal("v2", Text(into[1]));
    }

    [Fact]
    public async Task SetMany_OfAKeyAlreadyCached_KeepsItReadable()
    {
        await Cache.SetManyAsync([Item("ORD-9", 3, "same")], Ct);
        await Cache.SetManyAsync([Item("ORD-9", 3, "same")], Ct);
        var into = new byte[]?[1];

        await Cache.GetManyAsync([Key("ORD-9", 3)], into, Ct);

        Assert.Equal("same", Text(into[0]));
    }

    [Fact]
    public async Task Ids_ContainingColonsOrDigits_DoNotCollide()
    {
        // Ids are free text: "A:1"@2, "A"@12 and "A1"@2 must stay three entries whatever the key encoding.
        await Cache.SetManyAsync([Item("A:1", 2, "A:1@2"), Item("A", 12, "A@12"), Item("A1", 2, "A1@2")], Ct);
        var into = new byte[]?[4];

        await Cache.GetManyAsync([Key("A:1", 2), Key("A", 12), Key("A1", 2), Key("A", 1)], into, Ct);

        Assert.Equal("A:1@2", Text(into[0]));
        Assert.Equal("A@12", Text(into[1]));
        Assert.Equal("A1@2", Text(into[2]));
        Assert.Null(into[3]);
    }

    protected static ArtifactCacheKey Key(string id, long version) => new(id, version);

    protected static KeyValuePair<ArtifactCacheKey, byte[]> Item(string id, long version, string value) =>
        new(new ArtifactCacheKey(id, version), System.Text.Encoding.UTF8.GetBytes(value));

    protected static KeyValuePair<ArtifactCacheKey, byte[]> Item(string id, long version, int size) =>
        new(new ArtifactCacheKey(id, version), new byte[size]);

    protected static string? Text(byte[]? value) => value is null ? null : System.Text.Encoding.UTF8.GetString(value);
}
