using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Polly;
using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Storage.Aws;

/// <summary>
/// The artifact index on one DynamoDB table. Key: <c>pk</c> (S) = artifact id, <c>sk</c> (N) = version. Each
/// (id, version) is one history item (sk ≥ 1); the item at sk = 0 is the id's latest pointer, a copy of its highest
/// version's row plus <c>version</c>, so pre-fetch reads latest rows with BatchGetItem. Attributes: <c>file</c> (S),
/// <c>offset</c> (N), <c>length</c> (N), <c>run_id</c> (S), <c>updated_at</c> (N, 100 ns ticks since the Unix epoch,
/// UTC — the exact instant, as in the SQLite index). The pointer is written with a condition, so it only moves forward.
/// </summary>
public sealed class DynamoArtifactIndex : IArtifactIndex
{
    private const string Pk = "pk";
    private const string Sk = "sk";
    private const string FileAttribute = "file";
    private const string OffsetAttribute = "offset";
    private const string LengthAttribute = "length";
    private const string RunIdAttribute = "run_id";
    private const string UpdatedAtAttribute = "updated_at";
    private const string VersionAttribute = "version";
    private const int MaxBatchWrite = 25;
    private const int MaxBatchGet = 100;

    private static readonly long UnixEpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;
    private static readonly AttributeValue Zero = new() { N = "0" };

    private readonly IAmazonDynamoDB _dynamo;
    private readonly string _table;
    private readonly AwsResilience _resilience;
    private readonly DynamoIndexOptions _options;
    private readonly ResiliencePipeline<List<WriteRequest>?> _unprocessedWrites;
    private readonly ResiliencePipeline<List<Dictionary<string, AttributeValue>>?> _unprocessedReads;
    private long _unprocessedRetried;
    private long _stalePointerWrites;

    public DynamoArtifactIndex(IAmazonDynamoDB dynamo, string table, AwsResilience resilience, DynamoIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentNullException.ThrowIfNull(resilience);
        _dynamo = dynamo;
        _table = table;
        _resilience = resilience;
        _options = options ?? new DynamoIndexOptions();
        _unprocessedWrites = resilience.CreateRepeatPipeline<List<WriteRequest>?>(
            left => left is { Count: > 0 }, _options.UnprocessedAttempts, _options.UnprocessedDelay, _options.UnprocessedMaxDelay, _options.Time);
        _unprocessedReads = resilience.CreateRepeatPipeline<List<Dictionary<string, AttributeValue>>?>(
            left => left is { Count: > 0 }, _options.UnprocessedAttempts, _options.UnprocessedDelay, _options.UnprocessedMaxDelay, _options.Time);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConcurrentRequests, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.UnprocessedAttempts, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ScanSegments, 1, nameof(options));
    }

    public string Table => _table;

    /// <summary>Items and keys that DynamoDB left unprocessed in a batch request and that were sent again.</summary>
    public long UnprocessedRetried => Interlocked.Read(ref _unprocessedRetried);

    /// <summary>Pointer writes refused because the pointer already held the same or a newer version (a normal race).</summary>
    public long StalePointerWrites => Interlocked.Read(ref _stalePointerWrites);

    /// <summary>
    /// Creates <paramref name="table"/> (on-demand capacity) when it does not exist and waits until it is ACTIVE;
    /// returns whether it created it. Safe to call again and concurrently.
    /// </summary>
    public static Task<bool> EnsureTableAsync(IAmazonDynamoDB dynamo, string table, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentException.ThrowIfNullOrEmpty(table);
        return DynamoTables.EnsureActiveAsync(dynamo, new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [new KeySchemaElement(Pk, KeyType.HASH), new KeySchemaElement(Sk, KeyType.RANGE)],
            AttributeDefinitions = [new AttributeDefinition(Pk, ScalarAttributeType.S), new AttributeDefinition(Sk, ScalarAttributeType.N)],
        }, new AwsResilience(), description =>
        {
            var keys = description.KeySchema ?? [];
            if (!keys.Exists(k => k.AttributeName == Pk && k.KeyType == KeyType.HASH) || !keys.Exists(k => k.AttributeName == Sk && k.KeyType == KeyType.RANGE))
            {
                throw new ReconException($"DynamoDB table '{table}' exists but its key is not (pk HASH, sk RANGE); it is not an artifact index table. Choose another --index-table.");
            }
        }, ct);
    }

    /// <summary>
    /// Reads what is already stored for these rows (history items and pointers, one consistent BatchGetItem per 100
    /// keys), writes the missing history items with BatchWriteItem in 25s, then moves each id's pointer forward with a
    /// conditional PutItem. A row already present keeps its first content; a re-put of stored rows writes nothing.
    /// Two writers racing to insert the same (id, version) with different locations is not expected (a version is
    /// written by one run); if it happens the history keeps the last of the two and the pointer the first.
    /// </summary>
    public async ValueTask PutAsync(IReadOnlyList<IndexRow> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ct.ThrowIfCancellationRequested();
        if (rows.Count == 0)
        {
            return;
        }

        // First row wins within one call too, as INSERT OR IGNORE would; BatchWriteItem also rejects duplicate keys.
        var unique = new Dictionary<(string Id, long Version), IndexRow>(rows.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            Validate(row);
            unique.TryAdd((row.ArtifactId, row.Version), row);
            ids.Add(row.ArtifactId);
        }

        var keys = new List<(string Id, long Sk)>(unique.Count + ids.Count);
        keys.AddRange(unique.Keys);
        foreach (var id in ids)
        {
            keys.Add((id, 0));
        }

        var stored = await BatchGetAsync(keys, ct).ConfigureAwait(false);

        var writes = new List<WriteRequest>();
        var best = new Dictionary<string, IndexRow>(ids.Count, StringComparer.Ordinal);
        foreach (var ((id, version), incoming) in unique)
        {
            IndexRow row;
            if (stored.TryGetValue((id, version), out var item))
            {
                row = ToRow(item);
            }
            else
            {
                row = incoming;
                writes.Add(new WriteRequest { PutRequest = new PutRequest { Item = ToItem(row, pointer: false) } });
            }

            if (!best.TryGetValue(id, out var current) || current.Version < row.Version)
            {
                best[id] = row;
            }
        }

        // History before pointers: a pointer never names a version whose history item is not written yet.
        await ForEachChunkAsync(writes, MaxBatchWrite, WriteBatchAsync, ct).ConfigureAwait(false);

        var pointers = new List<IndexRow>(best.Count);
        foreach (var (id, row) in best)
        {
            if (!stored.TryGetValue((id, 0), out var pointer) || ReadLong(pointer, VersionAttribute) < row.Version)
            {
                pointers.Add(row);
            }
        }

        await Parallel.ForEachAsync(pointers, Bounded(ct), async (row, token) => await PutPointerAsync(row, token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public async ValueTask<IndexRow?[]> GetLatestManyAsync(IReadOnlyList<string> artifactIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifactIds);
        ct.ThrowIfCancellationRequested();
        var result = new IndexRow?[artifactIds.Count];
        if (artifactIds.Count == 0)
        {
            return result;
        }

        var keys = new List<(string Id, long Sk)>(artifactIds.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in artifactIds)
        {
            ArgumentNullException.ThrowIfNull(id, nameof(artifactIds));
            if (seen.Add(id))
            {
                keys.Add((id, 0));
            }
        }

        var pointers = await BatchGetAsync(keys, ct).ConfigureAwait(false);
        for (int i = 0; i < result.Length; i++)
        {
            if (pointers.TryGetValue((artifactIds[i], 0), out var item))
            {
                result[i] = ToRow(item);
            }
        }

        return result;
    }

    public async ValueTask<IndexRow?> GetLatestAsync(string artifactId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifactId);
        var response = await _resilience.ExecuteAsync($"GetItem {_table}", token => _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = Key(artifactId, 0),
            ConsistentRead = _options.ConsistentReads,
        }, token), ct).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? ToRow(item) : null;
    }

    public async ValueTask<IReadOnlyList<IndexRow>> GetHistoryAsync(string artifactId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifactId);
        var rows = new List<IndexRow>();
        await foreach (var item in QueryHistoryAsync(artifactId, ascending: true, filterAsOf: null, ct).ConfigureAwait(false))
        {
            rows.Add(ToRow(item));
        }

        return rows;
    }

    public async ValueTask<IndexRow?> GetAsOfAsync(string artifactId, DateTimeOffset asOf, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifactId);

        // Newest version first, filtered on the time: the first item returned is the answer.
        await foreach (var item in QueryHistoryAsync(artifactId, ascending: false, filterAsOf: asOf, ct).ConfigureAwait(false))
        {
            return ToRow(item);
        }

        return null;
    }

    /// <summary>
    /// A parallel Scan (<see cref="DynamoIndexOptions.ScanSegments"/> segments) of the history items (or only the
    /// pointers), sorted in memory by id then version, since DynamoDB keeps no order across partition keys. Memory:
    /// every row returned is held at once — about 100 bytes plus the artifact id per row (file and run ids are shared
    /// strings), so some 150 MB per million rows. This serves reindex, verify and export, not the hot path.
    /// </summary>
    public async IAsyncEnumerable<IndexRow> ScanAsync(bool latestOnly, [EnumeratorCancellation] CancellationToken ct)
    {
        var rows = new List<IndexRow>();
        var strings = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await ScanSegmentsAsync(
            latestOnly ? "#sk = :zero" : "#sk > :zero",
            projection: null,
            (items, _) =>
            {
                var page = new List<IndexRow>(items.Count);
                foreach (var item in items)
                {
                    var row = ToRow(item);
                    page.Add(row with { File = strings.GetOrAdd(row.File, row.File), RunId = strings.GetOrAdd(row.RunId, row.RunId) });
                }

                lock (rows)
                {
                    rows.AddRange(page);
                }

                return ValueTask.CompletedTask;
            },
            ct).ConfigureAwait(false);

        rows.Sort(static (a, b) =>
        {
            int byId = string.CompareOrdinal(a.ArtifactId, b.ArtifactId);
            return byId != 0 ? byId : a.Version.CompareTo(b.Version);
        });
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            yield return row;
        }
    }

    /// <summary>Deletes every item (history and pointers): a parallel Scan of the keys, deleted in BatchWriteItem 25s as the pages arrive.</summary>
    public async ValueTask ClearAsync(CancellationToken ct)
    {
        await ScanSegmentsAsync(
            filter: null,
            projection: "#pk, #sk",
            async (items, token) =>
            {
                var deletes = new List<WriteRequest>(items.Count);
                foreach (var item in items)
                {
                    deletes.Add(new WriteRequest { DeleteRequest = new DeleteRequest { Key = new Dictionary<string, AttributeValue> { [Pk] = item[Pk], [Sk] = item[Sk] } } });
                }

                await ForEachChunkAsync(deletes, MaxBatchWrite, WriteBatchAsync, token).ConfigureAwait(false);
            },
            ct).ConfigureAwait(false);
    }

    private async Task PutPointerAsync(IndexRow row, CancellationToken ct)
    {
        try
        {
            await _resilience.ExecuteAsync($"PutItem {_table} (latest pointer)", token => _dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = _table,
                Item = ToItem(row, pointer: true),
                ConditionExpression = "attribute_not_exists(#pk) OR #version < :version",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = Pk, ["#version"] = VersionAttribute },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":version"] = Number(row.Version) },
            }, token), ct).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // Another writer got the same or a newer version in first: the pointer is already where it should be.
            Interlocked.Increment(ref _stalePointerWrites);
        }
    }

    private async ValueTask WriteBatchAsync(List<WriteRequest> batch, CancellationToken ct)
    {
        // Unprocessed items are DynamoDB throttling part of a batch: Polly repeats with only those, backing off with jitter.
        var pending = batch;
        int rounds = 0;
        var left = await _unprocessedWrites.ExecuteAsync(async token =>
        {
            if (rounds++ > 0)
            {
                Interlocked.Add(ref _unprocessedRetried, pending.Count);
            }

            var requestItems = new Dictionary<string, List<WriteRequest>> { [_table] = pending };
            var response = await _resilience.ExecuteAsync(
                $"BatchWriteItem {_table}",
                t => _dynamo.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = requestItems }, t),
                token).ConfigureAwait(false);
            return response.UnprocessedItems is not null && response.UnprocessedItems.TryGetValue(_table, out var unprocessed) && unprocessed.Count > 0
                ? pending = unprocessed
                : null;
        }, ct).ConfigureAwait(false);
        if (left is { Count: > 0 })
        {
            throw UnprocessedError("BatchWriteItem", left.Count, rounds);
        }
    }

    private async Task<ConcurrentDictionary<(string Id, long Sk), Dictionary<string, AttributeValue>>> BatchGetAsync(List<(string Id, long Sk)> keys, CancellationToken ct)
    {
        var found = new ConcurrentDictionary<(string Id, long Sk), Dictionary<string, AttributeValue>>();
        await ForEachChunkAsync(keys, MaxBatchGet, async (chunk, token) =>
        {
            var pending = new List<Dictionary<string, AttributeValue>>(chunk.Count);
            foreach (var (id, sk) in chunk)
            {
                pending.Add(Key(id, sk));
            }

            int rounds = 0;
            var left = await _unprocessedReads.ExecuteAsync(async t =>
            {
                if (rounds++ > 0)
                {
                    Interlocked.Add(ref _unprocessedRetried, pending.Count);
                }

                var requestItems = new Dictionary<string, KeysAndAttributes> { [_table] = new() { Keys = pending, ConsistentRead = _options.ConsistentReads } };
                var response = await _resilience.ExecuteAsync(
                    $"BatchGetItem {_table}",
                    call => _dynamo.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = requestItems }, call),
                    t).ConfigureAwait(false);
                if (response.Responses is not null && response.Responses.TryGetValue(_table, out var items))
                {
                    foreach (var item in items)
                    {
                        found[(item[Pk].S, ReadLong(item, Sk))] = item;
                    }
                }

                return response.UnprocessedKeys is not null && response.UnprocessedKeys.TryGetValue(_table, out var unprocessed) && unprocessed.Keys is { Count: > 0 }
                    ? pending = unprocessed.Keys
                    : null;
            }, token).ConfigureAwait(false);
            if (left is { Count: > 0 })
            {
                throw UnprocessedError("BatchGetItem", left.Count, rounds);
            }
        }, ct).ConfigureAwait(false);
        return found;
    }

    private async IAsyncEnumerable<Dictionary<string, AttributeValue>> QueryHistoryAsync(
        string artifactId, bool ascending, DateTimeOffset? filterAsOf, [EnumeratorCancellation] CancellationToken ct)
    {
        var names = new Dictionary<string, string> { ["#pk"] = Pk, ["#sk"] = Sk };
        var values = new Dictionary<string, AttributeValue> { [":id"] = new() { S = artifactId }, [":zero"] = Zero };
        string? filter = null;
        if (filterAsOf is { } asOf)
        {
            names["#t"] = UpdatedAtAttribute;
            values[":t"] = Number(asOf.UtcTicks - UnixEpochTicks);
            filter = "#t <= :t";
        }

        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var exclusiveStart = start;
            var page = await _resilience.ExecuteAsync($"Query {_table}", token => _dynamo.QueryAsync(new QueryRequest
            {
                TableName = _table,
                KeyConditionExpression = "#pk = :id AND #sk > :zero",
                FilterExpression = filter,
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
                ScanIndexForward = ascending,
                ConsistentRead = _options.ConsistentReads,
                ExclusiveStartKey = exclusiveStart,
            }, token), ct).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                yield return item;
            }

            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
    }

    private async Task ScanSegmentsAsync(
        string? filter, string? projection, Func<List<Dictionary<string, AttributeValue>>, CancellationToken, ValueTask> onPage, CancellationToken ct)
    {
        // DynamoDB rejects names and values that no expression uses.
        Dictionary<string, string>? names = null;
        if (filter is not null || projection is not null)
        {
            names = new Dictionary<string, string> { ["#sk"] = Sk };
            if (projection is not null)
            {
                names["#pk"] = Pk;
            }
        }

        var values = filter is null ? null : new Dictionary<string, AttributeValue> { [":zero"] = Zero };
        int segments = _options.ScanSegments;
        await Parallel.ForEachAsync(Enumerable.Range(0, segments), Bounded(ct), async (segment, token) =>
        {
            Dictionary<string, AttributeValue>? start = null;
            do
            {
                var exclusiveStart = start;
                var page = await _resilience.ExecuteAsync($"Scan {_table} segment {segment}/{segments}", t => _dynamo.ScanAsync(new ScanRequest
                {
                    TableName = _table,
                    Segment = segment,
                    TotalSegments = segments,
                    FilterExpression = filter,
                    ProjectionExpression = projection,
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = values,
                    ConsistentRead = _options.ConsistentReads,
                    ExclusiveStartKey = exclusiveStart,
                }, t), token).ConfigureAwait(false);
                if (page.Items is { Count: > 0 } items)
                {
                    await onPage(items, token).ConfigureAwait(false);
                }

                start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
            }
            while (start is not null);
        }).ConfigureAwait(false);
    }

    private async Task ForEachChunkAsync<T>(List<T> items, int chunkSize, Func<List<T>, CancellationToken, ValueTask> action, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return;
        }

        var chunks = new List<List<T>>((items.Count + chunkSize - 1) / chunkSize);
        for (int i = 0; i < items.Count; i += chunkSize)
        {
            chunks.Add(items.GetRange(i, Math.Min(chunkSize, items.Count - i)));
        }

        if (chunks.Count == 1)
        {
            await action(chunks[0], ct).ConfigureAwait(false);
            return;
        }

        await Parallel.ForEachAsync(chunks, Bounded(ct), async (chunk, token) => await action(chunk, token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private ParallelOptions Bounded(CancellationToken ct) => new() { MaxDegreeOfParallelism = _options.MaxConcurrentRequests, CancellationToken = ct };

    private ReconRetryableException UnprocessedError(string operation, int left, int rounds) =>
        new(ReconErrorNames.Throttled, string.Create(CultureInfo.InvariantCulture,
            $"{operation} {_table}: DynamoDB still left {left} items unprocessed after {rounds} rounds ({ReconErrorNames.Throttled}). The table is throttled: the step will be retried; raise its capacity if this persists."));

    private static void Validate(in IndexRow row)
    {
        if (string.IsNullOrEmpty(row.ArtifactId))
        {
            throw new ArgumentException("An index row needs an artifact id.", "rows");
        }

        if (string.IsNullOrEmpty(row.File) || row.RunId is null || row.Offset < 0 || row.Length < 0)
        {
            throw new ArgumentException($"Index row of artifact '{row.ArtifactId}' version {row.Version} is incomplete: file '{row.File}', offset {row.Offset}, length {row.Length}, run '{row.RunId}'.", "rows");
        }

        if (row.Version < 1)
        {
            // Sort key 0 is the latest pointer.
            throw new ArgumentException($"Index row of artifact '{row.ArtifactId}' has version {row.Version}; versions start at 1.", "rows");
        }
    }

    private static Dictionary<string, AttributeValue> Key(string id, long sk) =>
        new(2) { [Pk] = new AttributeValue { S = id }, [Sk] = Number(sk) };

    private static Dictionary<string, AttributeValue> ToItem(in IndexRow row, bool pointer)
    {
        var item = new Dictionary<string, AttributeValue>(pointer ? 8 : 7)
        {
            [Pk] = new() { S = row.ArtifactId },
            [Sk] = pointer ? Zero : Number(row.Version),
            [FileAttribute] = new() { S = row.File },
            [OffsetAttribute] = Number(row.Offset),
            [LengthAttribute] = Number(row.Length),
            // DynamoDB rejects empty strings only in key attributes; an empty run id is stored as it is.
            [RunIdAttribute] = new() { S = row.RunId },
            [UpdatedAtAttribute] = Number(row.UpdatedAt.UtcTicks - UnixEpochTicks),
        };
        if (pointer)
        {
            item[VersionAttribute] = Number(row.Version);
        }

        return item;
    }

    private static IndexRow ToRow(Dictionary<string, AttributeValue> item)
    {
        long sk = ReadLong(item, Sk);
        return new IndexRow(
            item[Pk].S,
            sk == 0 ? ReadLong(item, VersionAttribute) : sk,
            item[FileAttribute].S,
            ReadLong(item, OffsetAttribute),
            checked((int)ReadLong(item, LengthAttribute)),
            item[RunIdAttribute].S,
            new DateTimeOffset(ReadLong(item, UpdatedAtAttribute) + UnixEpochTicks, TimeSpan.Zero));
    }

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static long ReadLong(Dictionary<string, AttributeValue> item, string name) =>
        long.Parse(item[name].N, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
