using System.Buffers;
using BenchmarkDotNet.Attributes;
using Recon.Core.Artifacts;
using Recon.Core.PartFiles;

namespace Recon.Benchmarks;

[MemoryDiagnoser]
public class PartFileCodecBenchmarks
{
    private const int RecordsPerFile = 10_000;
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private readonly byte[] _block = new byte[4096];
    private ArtifactState _small = null!, _large = null!;
    private byte[] _smallJson = [], _largeJson = [];
    private string _dir = "";

    [GlobalSetup]
    public void Setup()
    {
        _small = BenchmarkData.Artifact(5, seed: 1);
        _large = BenchmarkData.Artifact(500, seed: 2);
        _smallJson = ArtifactCodec.ToUtf8(_small);
        _largeJson = ArtifactCodec.ToUtf8(_large);
        new Random(3).NextBytes(_block);
        _dir = Directory.CreateTempSubdirectory("recon-bench-").FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark]
    public int WriteArtifactWith5Lines() => Write(_small);

    [Benchmark]
    public int WriteArtifactWith500Lines() => Write(_large);

    [Benchmark]
    public int ReadArtifactWith5Lines() => ArtifactCodec.Read(_smallJson).Lines.Count;

    [Benchmark]
    public int ReadArtifactWith500Lines() => ArtifactCodec.Read(_largeJson).Lines.Count;

    // Appends 10,000 small-artifact records; the file is abandoned, not completed, so no fsync is timed.
    [Benchmark]
    public long AppendTenThousandRecords()
    {
        using var writer = new PartFileWriter(Path.Combine(_dir, "bench.rpf"), "r-000042", 0);
        for (int i = 0; i < RecordsPerFile; i++)
        {
            writer.Append(_small.ArtifactId, i + 1, _smallJson);
        }

        return writer.Length;
    }

    [Benchmark]
    public uint Crc32COver4KiB() => Crc32C.Compute(_block);

    private int Write(ArtifactState artifact)
    {
        _output.ResetWrittenCount();
        ArtifactCodec.Write(_output, artifact);
        return _output.WrittenCount;
    }
}
