using System.Buffers.Binary;

namespace Recon.Core.PartFiles;

/// <summary>Checks one record read back by offset and length, and returns its payload.</summary>
public static class PartFileRecord
{
    /// <summary>
    /// Verifies length and CRC, returning the payload. Throws <see cref="CorruptRecordException"/> naming file,
    /// offset and artifact when the bytes are not the record the index promised.
    /// </summary>
    public static ReadOnlySpan<byte> Verify(ReadOnlySpan<byte> record, string file, long offset, string? artifactId)
    {
        if (record.Length < PartFileFormat.RecordHeaderSize)
        {
            throw ReconErrors.CorruptRecord(file, offset, artifactId, $"record is {record.Length} bytes, shorter than its header");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(record);
        if (length != (uint)(record.Length - PartFileFormat.RecordHeaderSize))
        {
            throw ReconErrors.CorruptRecord(file, offset, artifactId,
                $"length field says {length} bytes but the index says {record.Length - PartFileFormat.RecordHeaderSize}");
        }

        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);
        var payload = record[PartFileFormat.RecordHeaderSize..];
        uint actual = Crc32C.Compute(payload);
        if (expected != actual)
        {
            throw ReconErrors.CorruptRecord(file, offset, artifactId, $"CRC mismatch (stored {expected:x8}, computed {actual:x8})");
        }

        return payload;
    }
}
