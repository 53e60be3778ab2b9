using System.Buffers.Binary;
using Recon.Core.Ports;

namespace Recon.Core.PartFiles;

/// <summary>Reads a part-file's footer with two ranged reads (trailer, then footer), so the index can be rebuilt from the files alone.</summary>
public static class PartFileFooterReader
{
    public static async Task<IReadOnlyList<PartFileEntry>> ReadAsync(IObjectStore store, string key, CancellationToken ct) =>
        [.. (await ReadFooterAsync(store, key, ct).ConfigureAwait(false)).Entries()];

    /// <summary>The footer checked (CRC, bounds of every entry) and kept as bytes; entries decode as they are enumerated.</summary>
    public static async Task<PartFileFooter> ReadFooterAsync(IObjectStore store, string key, CancellationToken ct)
    {
        long length = await store.GetLengthAsync(key, ct).ConfigureAwait(false) ?? throw ReconErrors.ObjectMissing(key);
        if (length < 14 + PartFileFormat.TrailerSize)
        {
            throw ReconErrors.CorruptPartFile(key, $"it is {length} bytes, too short for a header and trailer");
        }

        var trailer = new byte[PartFileFormat.TrailerSize];
        await ReadExactlyAsync(store, key, length - trailer.Length, trailer, ct).ConfigureAwait(false);
        if (!trailer.AsSpan(16).SequenceEqual(PartFileFormat.TrailerMagic))
        {
            throw ReconErrors.CorruptPartFile(key, "the trailer magic is missing (the file is truncated or not a part-file)");
        }

        long footerOffset = BinaryPrimitives.ReadInt64LittleEndian(trailer);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(8));
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(12));
        long footerLength = length - trailer.Length - footerOffset;
        if (footerOffset < 14 || footerLength < 0 || footerLength > int.MaxValue)
        {
            throw ReconErrors.CorruptPartFile(key, $"the footer offset {footerOffset} is outside the file");
        }

        var footer = new byte[footerLength];
        await ReadExactlyAsync(store, key, footerOffset, footer, ct).ConfigureAwait(false);
        if (Crc32C.Compute(footer) != crc)
        {
            throw ReconErrors.CorruptPartFile(key, $"the footer at offset {footerOffset} fails its CRC");
        }

        return new PartFileFooter(key, footer, PartFileFooter.Check(key, footer, count, footerOffset));
    }

    public static async Task ReadExactlyAsync(IObjectStore store, string key, long offset, Memory<byte> into, CancellationToken ct)
    {
        int total = await store.ReadFullyAsync(key, offset, into, ct).ConfigureAwait(false);
        if (total < into.Length)
        {
            throw ReconErrors.ShortRead(key, offset, into.Length, total);
        }
    }
}
