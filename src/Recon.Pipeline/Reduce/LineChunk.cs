using System.Buffers;

namespace Recon.Pipeline.Reduce;

/// <summary>Whole lines of one input file; <see cref="FirstLine"/> is the 1-based number of its first line.</summary>
internal sealed class LineChunk(byte[] buffer, int length, long firstLine, int fileOrdinal, int batchOrdinal)
{
    public byte[] Buffer { get; } = buffer;

    public int Length { get; } = length;

    public long FirstLine { get; } = firstLine;

    public int FileOrdinal { get; } = fileOrdinal;

    public int BatchOrdinal { get; } = batchOrdinal;

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}
