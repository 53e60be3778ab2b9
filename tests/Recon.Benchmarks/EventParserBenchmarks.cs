using BenchmarkDotNet.Attributes;
using Recon.Core.Events;

namespace Recon.Benchmarks;

[MemoryDiagnoser]
public class EventParserBenchmarks
{
    private const int LinesPerOperation = 10_000;
    private byte[] _buffer = [];
    private int[] _starts = [];

    [GlobalSetup]
    public void Setup()
    {
        (_buffer, _starts) = BenchmarkData.JsonLines(LinesPerOperation, seed: 42);
        if (Parse10000Lines() != LinesPerOperation)
        {
            throw new InvalidOperationException("benchmark lines must all be valid");
        }
    }

    // One operation parses 10,000 lines, as the reduce step does file by file, with one string pool per worker.
    [Benchmark]
    public int Parse10000Lines()
    {
        var pool = new StringPool();
        var buffer = _buffer.AsSpan();
        int parsed = 0;
        for (int i = 0; i < LinesPerOperation; i++)
        {
            // Lines end in '\n'; the parser reads exactly one JSON object.
            if (EventParser.TryParseLine(buffer[_starts[i]..(_starts[i + 1] - 1)], pool, out _, out _))
            {
                parsed++;
            }
        }

        return parsed;
    }
}
