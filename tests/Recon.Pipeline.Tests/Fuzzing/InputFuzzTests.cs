using System.IO.Compression;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Recon.Core;
using Recon.Core.Events;
using Recon.Core.PartFiles;
using Recon.Core.Ports;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Reduce;
using Recon.Storage.Local;
using Recon.Testing.Fuzzing;

namespace Recon.Pipeline.Tests.Fuzzing;

/// <summary>
/// Fuzz properties (issue 13) over the reducer's input paths and the part-file reader: random and mutated bytes give a
/// documented outcome only (a quarantined line, a failed batch with its reason, a <see cref="ReconException"/>), never
/// another exception or a hang, and for every batch lines = applied + duplicates + quarantined.
/// Sizes are bounded so the whole suite stays within a minute or two on 2 cores.
/// </summary>
public class InputFuzzTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static readonly string[] Lines =
    [
        TestWorld.Event("e-1", "ORD-1", "10.00"),
        TestWorld.Event("e-2", "ORD-2", "-3.5", "EUR", reverses: "e-0"),
        TestWorld.Event("e-3", "ORD-é", "1e2", type: "royalty"),
        TestWorld.Event("e-1", "ORD-1", "10.00"),
        TestWorld.Event("e-1", "ORD-1", "11.00"),
    ];

    private const string Csv = """
        event_id,artifact_id,entity,type,amount,currency,occurred_at,reverses,attributes
        e-1,ORD-1,US01,receivable,10.00,USD,2026-11-21T10:00:01Z,,
        "e-2","ORD-2","US01","payable","-1.25","EUR","2026-11-21T10:00:02+01:00","e-0","{""k"":""v""}"
        e-3,ORD-3,US01,royalty,"1,5",USD,2026-11-21T10:00:03Z,,
        """;

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    [Fact]
    public void CheckedGzip_OnMutatedFiles_EitherReturnsTheOriginalBytesOrThrowsInvalidData()
    {
        var original = Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(0, 300).Select(i => Lines[i % Lines.Length])));
        var compressed = Gzip(original);
        Prop.ForAll(Gen.Choose(0, int.MaxValue - 1).ToArbitrary(), seed =>
        {
            var mutated = Mutations.Mutate(compressed, seed);
            using var stream = new CheckedGzipStream(new MemoryStream(mutated));
            using var output = new MemoryStream();
            try
            {
                stream.CopyTo(output);
            }
            catch (InvalidDataException e)
            {
                Assert.Contains("gzip", e.Message, StringComparison.Ordinal);
                return;
            }

            // Read to the end without an error: only when the bytes are the original ones (the trailer's CRC-32 agrees).
            Assert.Equal(original, output.ToArray());
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(400));
    }

    [Fact]
    public void CsvReader_OnRandomAndMutatedCsv_CountsRowsAndQuarantinesOnlyWithDocumentedReasons()
    {
        using var world = new TestWorld();
        var ctx = world.Context();
        var csv = Encoding.UTF8.GetBytes(Csv.ReplaceLineEndings("\n") + "\n");
        var gen = Gen.OneOf(
            Gen.ArrayOf(Gen.Elements("a,b,\"c\",\"\"\n\r\u00e9\u001b\uFEFF1.0"u8.ToArray())).Where(a => a.Length <= 300),
            Gen.Choose(0, int.MaxValue - 1).Select(seed => Mutations.Mutate(csv, seed)));
        var reasons = new HashSet<string>(StringComparer.Ordinal)
        {
            QuarantineReasons.InvalidJson, QuarantineReasons.NotAnObject, QuarantineReasons.MissingField, QuarantineReasons.InvalidFieldType,
            QuarantineReasons.InvalidAmount, QuarantineReasons.InvalidCurrency, QuarantineReasons.InvalidTime, QuarantineReasons.InvalidId,
            QuarantineReasons.InvalidEncoding, QuarantineReasons.InvalidCsvRow,
        };
        Prop.ForAll(gen.ToArbitrary(), bytes =>
        {
            using var spill = new PartitionSpill(ctx.ReduceDependencies, "r-fuzz", 1);
            var worker = new ReduceWorker(spill, 1, (_, _) => ("b-1", "f.csv"));
            long records = StatelessReducer.ReadCsv(new MemoryStream(bytes), worker, 0, 0);
            worker.FlushAll();
            Assert.InRange(records, 0, bytes.Length);
            Assert.InRange(worker.Quarantined.Count, 0, records);
            Assert.All(worker.Quarantined, q => Assert.Contains(q.Reason, reasons));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1500));
    }

    [Fact]
    public async Task PartFileReader_OnMutatedPartFiles_ReadsTheTruthOrThrowsAReconException()
    {
        using var world = new TestWorld();
        world.WriteBatch("b-1", TestWorld.Window(0), Enumerable.Range(0, 30).Select(i => TestWorld.Event($"e-{i}", $"ORD-{i % 7}", "1.25")).ToList());
        var ctx = world.Context(new PipelineOptions { Partitions = 1 });
        await TestWorld.RunAsync(ctx);
        var truth = await TestWorld.ArtifactsAsync(ctx);
        string partFile = Directory.EnumerateFiles(Path.Combine(world.StoreRoot, "parts"), "*.rpf", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(partFile);
        var entries = await PartFileFooterReader.ReadAsync(ctx.Store, Path.GetRelativePath(world.StoreRoot, partFile).Replace('\\', '/'), Ct);
        using var store = new LocalFolderObjectStore(Path.Combine(world.Root, "fuzz"));
        var reader = new ArtifactRecordReader(store, null);

        Prop.ForAll(Gen.Choose(0, int.MaxValue - 1).ToArbitrary(), seed =>
        {
            string key = $"parts/r-000001/p{seed}.rpf";
            store.PutAsync(key, Mutations.Mutate(bytes, seed), Ct).AsTask().GetAwaiter().GetResult();
            try
            {
                var footer = PartFileFooterReader.ReadAsync(store, key, Ct).GetAwaiter().GetResult();
                Assert.All(footer, e => Assert.True(e.Offset >= 0 && e.Length >= 0));
            }
            catch (ReconException)
            {
            }

            // Each record by the original (offset, length): either the artifact as it was written, or a clear error.
            foreach (var e in entries)
            {
                var row = new IndexRow(e.ArtifactId, e.Version, key, e.Offset, e.Length, "r-000001", DateTimeOffset.UnixEpoch);
                try
                {
                    var state = reader.ReadArtifactAsync(row, Ct).AsTask().GetAwaiter().GetResult();
                    Assert.Equal(truth[e.ArtifactId].Balances, state.Balances);
                    Assert.Equal(truth[e.ArtifactId].Lines.Count, state.Lines.Count);
                }
                catch (ReconException)
                {
                }
            }

            store.DeleteAsync(key, Ct).AsTask().GetAwaiter().GetResult();
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    public sealed record BatchCase(int Seed, bool MutateJsonl, bool MutateCsv, bool MutateGzip, bool HonestCounts)
    {
        public override string ToString() => $"seed={Seed} jsonl={MutateJsonl} csv={MutateCsv} gzip={MutateGzip} honest={HonestCounts}";
    }

    [Fact]
    public void Run_OnBatchesOfMutatedFiles_FailsOrAppliesEachBatchAndAccountsForEveryLine()
    {
        var gen =
            from seed in Gen.Choose(0, int.MaxValue - 1)
            from jsonl in Gen.Elements(true, false)
            from csv in Gen.Elements(true, false)
            from gzip in Gen.Elements(true, false)
            from honest in Gen.Elements(true, true, false)
            select new BatchCase(seed, jsonl, csv, gzip, honest);
        Prop.ForAll(gen.ToArbitrary(), c => CheckBatchesAsync(c).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(25));
    }

    private static async Task CheckBatchesAsync(BatchCase c)
    {
        var random = new Random(c.Seed);
        using var world = new TestWorld();
        var jsonl = Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(0, 40).Select(_ => Lines[random.Next(Lines.Length)])) + "\n");
        var csv = Encoding.UTF8.GetBytes(Csv.ReplaceLineEndings("\n") + "\n");
        var gzipped = Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(0, 40).Select(i => TestWorld.Event($"g-{i}", $"ORD-{i % 5}", "2.00"))) + "\n");
        var files = new (string Name, byte[] Data, bool Mutate)[]
        {
            ("a.jsonl", jsonl, c.MutateJsonl),
            ("b.csv", csv, c.MutateCsv),
            ("c.jsonl.gz", gzipped, c.MutateGzip),
        };
        for (int i = 0; i < files.Length; i++)
        {
            var (name, data, mutate) = files[i];
            var content = mutate ? Mutations.Mutate(data, random.Next()) : data;
            string dir = Path.Combine(world.Inbox, "fuzz", $"b-{i}");
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, name), name.EndsWith(".gz", StringComparison.Ordinal) ? Gzip(content) : content);
            long records = c.HonestCounts ? CountRecords(content, csv: name.EndsWith(".csv", StringComparison.Ordinal)) : random.Next(0, 60);
            TestWorld.WriteManifest(dir, $"b-{i}", "fuzz", TestWorld.Window(i), [(name, records)]);
        }

        var ctx = world.Context(new PipelineOptions { Partitions = 2 });
        var report = await TestWorld.RunAsync(ctx).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(report.Failures);
        var quarantine = await ctx.Ledger.ListQuarantineAsync(null, Ct);
        foreach (var b in await ctx.Ledger.ListBatchesAsync(Ct))
        {
            Assert.True(b.Status is BatchStatus.Done or BatchStatus.Failed, $"{b.BatchId} is {b.Status}");
            if (b.Status == BatchStatus.Failed)
            {
                Assert.False(string.IsNullOrWhiteSpace(b.Reason));
                Assert.Equal(0, b.Applied);
                continue;
            }

            Assert.Equal(b.DeclaredRecords, b.Lines);
            Assert.Equal(b.Lines, b.Applied + b.Duplicates + b.Quarantined);
            Assert.Equal(b.Quarantined, quarantine.Count(q => q.BatchId == b.BatchId));
            Assert.All(quarantine.Where(q => q.BatchId == b.BatchId), q => Assert.False(string.IsNullOrEmpty(q.Reason)));
        }
    }

    /// <summary>The manifest count for a file: non-blank lines (CSV: rows after the header, as a plain line count).</summary>
    private static long CountRecords(byte[] content, bool csv)
    {
        var lines = Encoding.UTF8.GetString(content).Split('\n').Count(l => l.Trim(' ', '\t', '\r', '\uFEFF').Length > 0);
        return csv ? Math.Max(0, lines - 1) : lines;
    }
}
