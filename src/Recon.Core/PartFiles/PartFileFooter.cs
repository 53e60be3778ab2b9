using System.Buffers.Binary;
using System.Text;

namespace Recon.Core.PartFiles;

/// <summary>
/// A part-file's footer as read and checked (CRC, and every entry's bounds), kept as its bytes (≈ 32 bytes per record
/// rather than ≈ 100 as decoded entries): entries are decoded as they are enumerated, in footer order.
/// </summary>
public sealed class PartFileFooter
{
    private readonly byte[] _bytes;

    internal PartFileFooter(string key, byte[] bytes, int count)
    {
        Key = key;
        _bytes = bytes;
        Count = count;
    }

    /// <summary>The part-file's key.</summary>
    public string Key { get; }

    /// <summary>How many records the file holds.</summary>
    public int Count { get; }

    /// <summary>The entries in footer order (each decoded when reached).</summary>
    public IEnumerable<PartFileEntry> Entries()
    {
        int p = 0;
        for (int i = 0; i < Count; i++)
        {
            yield return Decode(_bytes, ref p);
        }
    }

    /// <summary>Each entry's id length (UTF-8 bytes) and record length, in footer order, without decoding the ids.</summary>
    public IEnumerable<(int IdBytes, int Length)> Sizes()
    {
        int p = 0;
        for (int i = 0; i < Count; i++)
        {
            int idLen = BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(p));
            int len = BinaryPrimitives.ReadInt32LittleEndian(_bytes.AsSpan(p + 2 + idLen + 16));
            p += 2 + idLen + 20;
            yield return (idLen, len);
        }
    }

    /// <summary>The footer's bytes checked entry by entry, without decoding the ids; returns the entry count.</summary>
    internal static int Check(string key, byte[] footer, uint count, long footerOffset)
    {
        if (count > int.MaxValue)
        {
            throw ReconErrors.CorruptPartFile(key, $"the trailer claims {count} records");
        }

        int p = 0;
        for (uint i = 0; i < count; i++)
        {
            if (footer.Length - p < 2)
            {
                throw ReconErrors.CorruptPartFile(key, "the footer ends inside an entry");
            }

            int idLen = BinaryPrimitives.ReadUInt16LittleEndian(footer.AsSpan(p));
            if (footer.Length - p < 2 + idLen + 20)
            {
                throw ReconErrors.CorruptPartFile(key, "the footer ends inside an entry");
            }

            long offset = BinaryPrimitives.ReadInt64LittleEndian(footer.AsSpan(p + 2 + idLen + 8));
            int len = BinaryPrimitives.ReadInt32LittleEndian(footer.AsSpan(p + 2 + idLen + 16));
            if (offset < 14 || len < PartFileFormat.RecordHeaderSize || offset + len > footerOffset)
            {
                string id = Encoding.UTF8.GetString(footer, p + 2, idLen);
                throw ReconErrors.CorruptPartFile(key, $"footer entry for '{id}' points outside the records");
            }

            p += 2 + idLen + 20;
        }

        return p == footer.Length ? (int)count : throw ReconErrors.CorruptPartFile(key, "the footer has trailing bytes");
    }

    private static PartFileEntry Decode(byte[] footer, ref int p)
    {
        int idLen = BinaryPrimitives.ReadUInt16LittleEndian(footer.AsSpan(p));
        string id = Encoding.UTF8.GetString(footer, p + 2, idLen);
        p += 2 + idLen;
        long version = BinaryPrimitives.ReadInt64LittleEndian(footer.AsSpan(p));
        long offset = BinaryPrimitives.ReadInt64LittleEndian(footer.AsSpan(p + 8));
        int len = BinaryPrimitives.ReadInt32LittleEndian(footer.AsSpan(p + 16));
        p += 20;
        return new PartFileEntry(id, version, offset, len);
    }
}
