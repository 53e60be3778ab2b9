using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Recon.Core.Events;
using Recon.Core.Ports;
using Recon.Pipeline.Formats;

namespace Recon.Pipeline.Reduce;

/// <summary>Parses lines on one thread: valid events go to partition buffers, bad lines to the quarantine list.</summary>
internal sealed class ReduceWorker(PartitionSpill spill, int partitions, Func<int, int, (string BatchId, string File)> whereIs)
{
    private const int FlushThreshold = 256 << 10;
    private readonly StringPool _pool = new();
    private readonly ArrayBufferWriter<byte>[] _buffers = CreateBuffers(partitions);

    public List<QuarantinedLine> Quarantined { get; } = [];

    /// <summary>Parses every non-blank line of the chunk; returns how many records (non-blank lines) it held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long ParseChunk(LineChunk chunk)
    {
        var span = chunk.Buffer.AsSpan(0, chunk.Length);
        long line = chunk.FirstLine;
        long records = 0;
        if (line == 1 && span.StartsWith("\uFEFF"u8))
        {
            span = span[3..];
        }

        while (!span.IsEmpty)
        {
            int nl = span.IndexOf((byte)'\n');
            var text = nl < 0 ? span : span[..nl];
            span = nl < 0 ? default : span[(nl + 1)..];
            if (!text.IsEmpty && text[^1] == '\r')
            {
                text = text[..^1];
            }

            if (!text.Trim(" \t"u8).IsEmpty)
            {
                records++;
                ParseLine(text, chunk.BatchOrdinal, chunk.FileOrdinal, line);
            }

            line++;
        }

        return records;
    }

    // Hot for every input line: compiled optimized at once rather than after seconds in the lower tiers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ParseLine(ReadOnlySpan<byte> text, int batchOrdinal, int fileOrdinal, long line)
    {
        // The common line is read as spans and encoded from the line's bytes (no reader, strings or event object);
        // every other line, good or bad, goes through the parser, which decides it exactly as before.
        if (EventLineScanner.TryScan(text, out var fields))
        {
            int partition = ArtifactPartitioner.PartitionOf(fields.ArtifactId, partitions);
            EventBinaryCodec.Write(_buffers[partition], LineSequence.Pack(batchOrdinal, fileOrdinal, line), fields);
            if (_buffers[partition].WrittenCount >= FlushThreshold)
            {
                Flush(partition);
            }

            return;
        }

        if (EventParser.TryParseLine(text, _pool, out var ev, out var error))
        {
            ev!.Sequence = LineSequence.Pack(batchOrdinal, fileOrdinal, line);
            int p = PartitionOf(ev.ArtifactId);

            // Encoded straight into its partition's buffer: no staging copy.
            EventBinaryCodec.Write(_buffers[p], ev);
            if (_buffers[p].WrittenCount >= FlushThreshold)
            {
                Flush(p);
            }
        }
        else
        {
            Quarantine(batchOrdinal, fileOrdinal, line, error, RawText(text, error));
        }
    }

    private int PartitionOf(string artifactId)
    {
        int max = Encoding.UTF8.GetMaxByteCount(artifactId.Length);
        if (max <= 512)
        {
            Span<byte> utf8 = stackalloc byte[512];
            int n = Encoding.UTF8.GetBytes(artifactId, utf8);
            return ArtifactPartitioner.PartitionOf(utf8[..n], partitions);
        }

        return ArtifactPartitioner.PartitionOf(Encoding.UTF8.GetBytes(artifactId), partitions);
    }

    /// <summary>The quarantine's copy of a line: its text, or its bytes in base64 when they are not valid UTF-8.</summary>
    public static string RawText(ReadOnlySpan<byte> text, LineError error) =>
        error.Reason == QuarantineReasons.InvalidEncoding ? Convert.ToBase64String(text) : Encoding.UTF8.GetString(text);

    public void Quarantine(int batchOrdinal, int fileOrdinal, long line, LineError error, string raw)
    {
        var (batchId, file) = whereIs(batchOrdinal, fileOrdinal);
        Quarantined.Add(new QuarantinedLine(batchId, file, line, error.Reason, error.Detail, raw));
    }

    public void FlushAll()
    {
        for (int p = 0; p < partitions; p++)
        {
            Flush(p);
        }
    }

    private void Flush(int p)
    {
        var b = _buffers[p];
        if (b.WrittenCount > 0)
        {
            spill.Append(p, b.WrittenSpan);
            b.ResetWrittenCount();
        }
    }

    private static ArrayBufferWriter<byte>[] CreateBuffers(int partitions)
    {
        var buffers = new ArrayBufferWriter<byte>[partitions];
        for (int i = 0; i < buffers.Length; i++)
        {
            buffers[i] = new ArrayBufferWriter<byte>(FlushThreshold + (8 << 10));
        }

        return buffers;
    }
}
