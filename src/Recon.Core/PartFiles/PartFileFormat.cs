namespace Recon.Core.PartFiles;

/// <summary>
/// Layout: header (magic "RCPF", u16 format version, u16 reserved, i32 partition, u16 run-id length, run id),
/// records <c>[u32 length][u32 crc32c][payload]</c>, a footer of entries
/// <c>[u16 id length][id][i64 version][i64 offset][i32 length]</c>, and a fixed trailer
/// <c>[i64 footer offset][u32 entry count][u32 footer crc32c]["RCPE"]</c>. All integers little-endian.
/// </summary>
public static class PartFileFormat
{
    public const ushort Version = 1;
    public const int RecordHeaderSize = 8;
    public const int TrailerSize = 20;
    public const string Extension = ".rpf";

    public static ReadOnlySpan<byte> HeaderMagic => "RCPF"u8;

    public static ReadOnlySpan<byte> TrailerMagic => "RCPE"u8;
}
