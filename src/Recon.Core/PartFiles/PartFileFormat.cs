namespace Recon.Core.PartFiles;

/// <summary>
/// Layout: header (magic "RCPF", u16 format version, u16 reserved, i32 partition, u16 run-id length, run id),
/// records <c>[u32 length][u32 crc32c][payload]</c>, a footer of entries
/// <c>[u16 id length][id][i64 version][i64 offset][i32 length]</c>, and a fixed trailer
/// <c>[i64 footer offset][u32 entry count][u32 footer crc32c]["RCPE"]</c>. All integers little-endian.
/// </summary>
public static class PartFileFormat
{
    /// <summary>
    /// 2: records are format 2 (binary head, own lines, fingerprints; see <c>SegmentedRecordCodec</c>). Files of
    /// version 1 hold artifact JSON records; readers tell the two apart per record by the payload's first byte.
    /// </summary>
    public const ushort Version = 2;
    public const int RecordHeaderSize = 8;
    public const int TrailerSize = 20;
    public const string Extension = ".rpf";

    public static ReadOnlySpan<byte> HeaderMagic => "RCPF"u8;

    public static ReadOnlySpan<byte> TrailerMagic => "RCPE"u8;
}
