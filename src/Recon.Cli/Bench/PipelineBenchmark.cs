using System.Diagnostics;
using Recon.Cache.Redis;
using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Orchestration;
using Recon.Pipeline;
using Recon.Pipeline.Reading;
using Recon.Pipeline.Running;
using Recon.Storage.Local;
using Recon.Workflows;

namespace Recon.Cli.Bench;

/// <summary>
/// <c>recon bench</c>: seeds a state of N artifacts, then applies one batch of E events touching about N artifacts
/// (half existing, half new, skewed) and measures it end to end (through <see cref="WorkflowPipeline"/>, as
/// <c>recon run</c>), then random single-artifact lookups: once as <c>recon get</c> does, then over distinct ids with
/// the cache cold and warm, serially and concurrently.
/// On aws the bench works in its own key prefix and tables (created here) and its own Redis key prefix; the inbox
/// stays a local folder, since generating batches is not what is measured.
/// </summary>
internal static class PipelineBenchmark
{
    private static readonly TimeSpan RedisTtl = TimeSpan.FromHours(1);

    public static async Task<BenchResult> RunAsync(ReconSettings user, string folder, long artifacts, long events, int partitions, int lookups,
        int concurrency, Action<string> say, CancellationToken ct)
    {
        string inbox = Path.Combine(folder, "inbox");
        string data = Path.Combine(folder, "data");
        string tag = Path.GetFileName(folder);
        bool aws = user.Backend == BackendKind.Aws;
        var settings = aws
            ? user with
            {
                DataDirectory = data,
                Inbox = inbox,
                S3Prefix = tag,
                IndexTable = $"{user.IndexTable}-{tag}",
                LedgerTable = $"{user.LedgerTable}-{tag}",
            }
            : new ReconSettings { DataDirectory = data, Inbox = inbox };
        var start = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        var options = new PipelineOptions { Partitions = partitions, MaxRunEvents = long.MaxValue };
        string? location = null;
        if (aws)
        {
            location = $"s3://{settings.S3Bucket}/{settings.S3Prefix}, tables {settings.IndexTable} and {settings.LedgerTable}" +
                       (settings.Redis is null ? "" : $", redis keys {tag}*");
            say($"aws: {location}");
            foreach (var line in await ReconBackend.InitAsync(settings, ct))
            {
                say(line);
            }
        }

        var redisCaches = new List<RedisArtifactCache>();
        try
        {
            // On Redis the pipeline's cache gets the bench's own key prefix: never the deployment's keys.
            IArtifactCache? pipelineCache = settings.Redis is { } r ? NewRedis(r, $"{tag}:", redisCaches) : null;

            say($"seeding {artifacts:N0} artifacts…");
            BenchInboxWriter.WriteBatch(inbox, "seed", artifacts, start, n => n, seed: 1);
            var sw = Stopwatch.StartNew();
            using (var seedBackend = ReconBackend.Open(settings, create: true, options))
            {
                var seedReport = await RunPipelineAsync(WithCache(seedBackend.Stages, pipelineCache), ct);
                EnsureClean(seedReport, artifacts);
            }

            double seedSeconds = sw.Elapsed.TotalSeconds;
            long touched = artifacts;
            long firstKey = artifacts / 2;
            var skew = new Random(7);
            say($"writing a batch of {events:N0} events touching ~{touched:N0} artifacts (half existing)…");
            BenchInboxWriter.WriteBatch(inbox, "measured", events, start.AddMinutes(5), n =>
            {
                // Every key once, then a power-law skew over the same keys: a few hot artifacts, a long tail.
                if (n < touched)
                {
                    return firstKey + n;
                }

                double u = skew.NextDouble();
                return firstKey + (long)(touched * u * u * u);
            }, seed: 2);

            using var backend = ReconBackend.Open(settings, create: false, options);
            var ctx = WithCache(backend.Stages, pipelineCache);
            long putsBefore = backend.Store.Puts;
            var retriesBefore = Retries(backend);
            say("running the measured batch…");
            var report = await RunPipelineAsync(ctx, ct);
            EnsureClean(report, events);
            long puts = backend.Store.Puts - putsBefore;
            var runRetries = Retries(backend) - retriesBefore;

            say($"{lookups:N0} random lookups…");
            var queries = new ArtifactQueries(ctx.Index, new ArtifactRecordReader(ctx.Store, ctx.Cache));
            var random = new Random(3);
            var latencies = new double[lookups];
            long maxKey = firstKey + touched;
            for (int i = 0; i < lookups; i++)
            {
                string id = BenchInboxWriter.ArtifactId(random.NextInt64(0, maxKey));
                long t0 = Stopwatch.GetTimestamp();
                await queries.GetAsync(id, null, ct);
                latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            Array.Sort(latencies);

            // Distinct ids, so that a cold pass never hits what it read itself.
            string[] ids = DistinctIds(lookups, maxKey, new Random(5));
            var passes = new List<LookupPass>();
            foreach (int c in concurrency > 1 ? new[] { 1, concurrency } : [1])
            {
                say($"{ids.Length:N0} lookups{(c > 1 ? $", {c} at once" : "")}, cache cold then warm…");
                IArtifactCache cache = settings.Redis is { } redis ? NewRedis(redis, $"{tag}-lookups-{c}:", redisCaches) : new MemoryArtifactCache();
                try
                {
                    var (cold, records) = await LookupPassAsync("cold", warm: false, ctx, cache, ids, c, ct);
                    passes.Add(cold);

                    // No read-through in the reader: fill the cache with what the cold pass read, as a get-heavy
                    // deployment's cache would be after a first round (not timed).
                    var fill = new List<KeyValuePair<ArtifactCacheKey, byte[]>>(records.Length);
                    fill.AddRange(records);
                    await cache.SetManyAsync(fill, ct);
                    passes.Add((await LookupPassAsync("warm", warm: true, ctx, cache, ids, c, ct)).Pass);
                }
                finally
                {
                    (cache as MemoryArtifactCache)?.Dispose();
                }
            }

            var lookupRetries = Retries(backend) - retriesBefore - runRetries;
            RedisCacheStats? redisStats = null;
            if (redisCaches.Count > 0)
            {
                var all = redisCaches.Select(c => c.Stats).ToList();
                redisStats = new RedisCacheStats(all.Sum(s => s.Hits), all.Sum(s => s.Misses), all.Sum(s => s.Errors),
                    all.Sum(s => s.SkippedTooLarge), all.Sum(s => s.Bypassed));
            }

            double indexSeconds = report.StageSeconds.GetValueOrDefault("index");
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            return new BenchResult(
                events,
                artifacts,
                report.StageSeconds,
                report.TotalSeconds,
                events / report.TotalSeconds,
                self.PeakWorkingSet64 / (1024.0 * 1024.0),
                report.PartFiles,
                puts,
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.99),
                lookups,
                seedSeconds)
            {
                Backend = aws ? "aws" : "local",
                Location = location,
                IndexedRows = report.IndexedRows,
                IndexRowsPerSecond = indexSeconds > 0 ? report.IndexedRows / indexSeconds : 0,
                Passes = passes,
                RunRetries = runRetries,
                LookupRetries = lookupRetries,
                Redis = redisStats,
            };
        }
        finally
        {
            foreach (var c in redisCaches)
            {
                await c.DisposeAsync();
            }
        }
    }

    private static async Task<RunReport> RunPipelineAsync(PipelineStages ctx, CancellationToken ct)
    {
        using var pipeline = new WorkflowPipeline(ctx, WorkflowSet.Load());
        return await pipeline.RunAsync(ct, ct);
    }

    /// <summary>
    /// One pass over <paramref name="ids"/>, <paramref name="concurrency"/> at once. Each lookup is what
    /// <see cref="ArtifactQueries.GetAsync"/> does (index GetLatest, then the cache or one ranged GET, then decode);
    /// the records are kept to fill the cache for the warm pass.
    /// </summary>
    private static async Task<(LookupPass Pass, KeyValuePair<ArtifactCacheKey, byte[]>[] Records)> LookupPassAsync(string name, bool warm,
        PipelineStages ctx, IArtifactCache cache, string[] ids, int concurrency, CancellationToken ct)
    {
        var counting = new CountingCache(cache);
        var reader = new ArtifactRecordReader(ctx.Store, counting);
        var latencies = new double[ids.Length];
        var records = new KeyValuePair<ArtifactCacheKey, byte[]>[ids.Length];
        long started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
            async (i, token) =>
            {
                long t0 = Stopwatch.GetTimestamp();
                var row = await ctx.Index.GetLatestAsync(ids[i], token) ?? throw Core.ReconErrors.ArtifactNotFound(ids[i]);
                byte[] record = await reader.ReadRecordAsync(row, token);
                await reader.DecodePageAsync(row, record, 0, long.MaxValue, token);
                latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                records[i] = new(new ArtifactCacheKey(row.ArtifactId, row.Version), record);
            });
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Array.Sort(latencies);
        var pass = new LookupPass(name, warm, concurrency, ids.Length, seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            counting.Hits, counting.Misses, counting.SegmentHits, counting.SegmentMisses);
        return (pass, records);
    }

    private static string[] DistinctIds(int count, long maxKey, Random random)
    {
        if (count >= maxKey)
        {
            return Enumerable.Range(0, count).Select(i => BenchInboxWriter.ArtifactId(i % maxKey)).ToArray();
        }

        var picked = new HashSet<long>();
        var ids = new string[count];
        for (int i = 0; i < count;)
        {
            long n = random.NextInt64(0, maxKey);
            if (picked.Add(n))
            {
                ids[i++] = BenchInboxWriter.ArtifactId(n);
            }
        }

        return ids;
    }

    private static RedisArtifactCache NewRedis(string connection, string keyPrefix, List<RedisArtifactCache> owned)
    {
        var cache = new RedisArtifactCache(RedisConfiguration.Parse(connection), new RedisArtifactCacheOptions { KeyPrefix = keyPrefix, Ttl = RedisTtl });
        owned.Add(cache);
        return cache;
    }

    private static PipelineStages WithCache(PipelineStages ctx, IArtifactCache? cache) => cache is null ? ctx : ctx.WithCache(cache);

    private static RetryCounts Retries(ReconBackend backend) =>
        backend.Resilience is { } r ? new RetryCounts(r.ThrottledRetries, r.TransientRetries) : default;

    private static void EnsureClean(RunReport report, long expectedLines)
    {
        if (report.Failures.Count > 0 || report.Lines != expectedLines || report.Applied + report.Duplicates + report.Quarantined != report.Lines)
        {
            throw new Core.ReconException($"benchmark run did not apply its batch cleanly: lines {report.Lines}, applied {report.Applied}, " +
                                          $"failures: {string.Join("; ", report.Failures)}");
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
