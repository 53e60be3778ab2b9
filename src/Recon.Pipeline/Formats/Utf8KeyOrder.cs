namespace Recon.Pipeline.Formats;

/// <summary>
/// Artifact ids are ordered by their UTF-8 bytes everywhere (key lists, pre-fetch files, part-file footers, SQLite's
/// BINARY collation), so merges across files agree. UTF-16 ordinal order differs for supplementary characters.
/// </summary>
internal static class Utf8KeyOrder
{
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);
}
