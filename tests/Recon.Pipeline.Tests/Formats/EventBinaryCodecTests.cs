using System.Buffers;
using System.Text;
using Recon.Core.Events;
using Recon.Pipeline.Formats;
using Recon.Testing.Fuzzing;

namespace Recon.Pipeline.Tests.Formats;

public class EventBinaryCodecTests
{
    [Fact]
    public void Write_FromScannedFields_GivesTheSameBytesAsFromTheParsedEvent()
    {
        int compared = 0;
        for (int seed = 0; seed < 20_000; seed++)
        {
            var line = seed % 5 == 0 ? EventLineShapes.BenchLine(seed) : EventLineShapes.Line(seed);
            if (!EventLineScanner.TryScan(line, out var fields))
            {
                continue;
            }

            Assert.True(EventParser.TryParseLine(line, new StringPool(), out var ev, out _));
            long sequence = LineSequence.Pack(seed % 7, seed % 3, seed + 1);
            ev!.Sequence = sequence;
            var fromEvent = new ArrayBufferWriter<byte>();
            EventBinaryCodec.Write(fromEvent, ev);
            var fromFields = new ArrayBufferWriter<byte>();
            EventBinaryCodec.Write(fromFields, sequence, fields);

            Assert.True(fromEvent.WrittenSpan.SequenceEqual(fromFields.WrittenSpan), Encoding.UTF8.GetString(line));
            Assert.Equal(ArtifactPartitioner.PartitionOf(Encoding.UTF8.GetBytes(ev.ArtifactId), 8), ArtifactPartitioner.PartitionOf(fields.ArtifactId, 8));
            compared++;
        }

        Assert.True(compared > 8_000, $"only {compared} lines compared");
    }
}
