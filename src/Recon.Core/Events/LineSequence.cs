namespace Recon.Core.Events;

/// <summary>Packs (batch ordinal in run, file ordinal in batch, line number) into one sortable 64-bit sequence.</summary>
public static class LineSequence
{
    public const int MaxBatches = 1 << 15;
    public const int MaxFiles = 1 << 16;

    public static long Pack(int batchOrdinal, int fileOrdinal, long lineNumber) =>
        ((long)batchOrdinal << 48) | ((long)fileOrdinal << 32) | (lineNumber & 0xFFFF_FFFF);

    public static int BatchOrdinal(long sequence) => (int)(sequence >> 48);

    public static int FileOrdinal(long sequence) => (int)((sequence >> 32) & 0xFFFF);

    public static long LineNumber(long sequence) => sequence & 0xFFFF_FFFF;
}
