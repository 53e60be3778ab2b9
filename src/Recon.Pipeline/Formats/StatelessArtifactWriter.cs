namespace Recon.Pipeline.Formats;

/// <summary>
/// Writes a partition's stateless artifact file: groups <c>[u16 key len][key][i32 count][event records…]</c> in key
/// order, each group's events in sequence order, and alongside it the partition's sorted key list.
/// </summary>
internal sealed class StatelessArtifactWriter : IDisposable
{
    private readonly BinaryWriter _groups;
    private readonly BinaryWriter _keys;
    private int _keyCount;

    public StatelessArtifactWriter(string groupsPath, string keysPath)
    {
        _groups = new BinaryWriter(new FileStream(groupsPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20));
        _keys = new BinaryWriter(new FileStream(keysPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16));
        _keys.Write(0); // key count, patched on Complete
    }

    public void BeginGroup(ReadOnlySpan<byte> key, int count)
    {
        _groups.Write((ushort)key.Length);
        _groups.Write(key);
        _groups.Write(count);
        _keys.Write((ushort)key.Length);
        _keys.Write(key);
        _keyCount++;
    }

    public void WriteEvent(ReadOnlySpan<byte> record) => _groups.Write(record);

    public void Complete()
    {
        _keys.Seek(0, SeekOrigin.Begin);
        _keys.Write(_keyCount);
        _groups.Flush();
        ((FileStream)_groups.BaseStream).Flush(flushToDisk: true);
        _keys.Flush();
        ((FileStream)_keys.BaseStream).Flush(flushToDisk: true);
        Dispose();
    }

    public void Dispose()
    {
        _groups.Dispose();
        _keys.Dispose();
    }
}
