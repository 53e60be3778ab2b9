using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Testing.Servers;

namespace Recon.Storage.Aws.Tests;

/// <summary>What only the DynamoDB index does: its table layout, batching, the conditional pointer, and behaviour under injected faults.</summary>
public sealed class DynamoArtifactIndexTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
    private static readonly DynamoIndexOptions FastBackoff = new() { UnprocessedDelay = TimeSpan.FromMilliseconds(1), UnprocessedMaxDelay = TimeSpan.FromMilliseconds(10) };

    private readonly FaultProxy _proxy = FaultProxy.Start(SharedServers.Dynamo.ServiceUrl);
    private readonly IAmazonDynamoDB _dynamo;
    private readonly string _table = AwsTestClients.UniqueName("idx");
    private readonly int _setupRequests;

    public DynamoArtifactIndexTests()
    {
        _dynamo = AwsTestClients.Dynamo(_proxy.Url);
        Assert.True(DynamoArtifactIndex.EnsureTableAsync(_dynamo, _table, Ct).GetAwaiter().GetResult());
        _setupRequests = _proxy.Requests.Count;
    }

    public void Dispose()
    {
        _dynamo.Dispose();
        _proxy.Dispose();
    }

    private List<ProxiedRequest> Requests => [.. _proxy.Requests.Skip(_setupRequests)];

    [Fact]
    public async Task EnsureTable_CalledASecondTime_IsIdempotentAndLeavesAnActiveOnDemandTableKeyedByIdAndVersion()
    {
        Assert.False(await DynamoArtifactIndex.EnsureTableAsync(_dynamo, _table, Ct));

        var table = (await _dynamo.DescribeTableAsync(_table, Ct)).Table;
        Assert.Equal(TableStatus.ACTIVE, table.TableStatus);
        Assert.Equal([("pk", KeyType.HASH), ("sk", KeyType.RANGE)], table.KeySchema.Select(k => (k.AttributeName, k.KeyType)));
        Assert.Equal(ScalarAttributeType.N, table.AttributeDefinitions.Single(a => a.AttributeName == "sk").AttributeType);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary?.BillingMode);
    }

    [Fact]
    public async Task EnsureTable_OnATableWithAnotherKey_SaysItIsNotAnIndexTable()
    {
        string other = AwsTestClients.UniqueName("other");
        await _dynamo.CreateTableAsync(new CreateTableRequest
        {
            TableName = other,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
        }, Ct);

        var error = await Assert.ThrowsAsync<ReconException>(() => DynamoArtifactIndex.EnsureTableAsync(_dynamo, other, Ct));

        Assert.Contains($"'{other}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_TwoVersionsOfOneId_StoresAHistoryItemPerVersionAndTheLatestPointerAtSortKeyZero()
    {
        var index = Index();
        await index.PutAsync([Row("ORD-1", 1, offset: 64), Row("ORD-1", 2, offset: 4096, at: T0.AddTicks(12345))], Ct);

        var pointer = (await _dynamo.GetItemAsync(new GetItemRequest { TableName = _table, Key = Key("ORD-1", 0), ConsistentRead = true }, Ct)).Item;
        Assert.Equal("2", pointer["version"].N);
        Assert.Equal("4096", pointer["offset"].N);
        Assert.Equal("runs/r-000001/part-0000.rpf", pointer["file"].S);
        Assert.Equal((T0.AddTicks(12345).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks).ToString(System.Globalization.CultureInfo.InvariantCulture), pointer["updated_at"].N);
        var v1 = (await _dynamo.GetItemAsync(new GetItemRequest { TableName = _table, Key = Key("ORD-1", 1), ConsistentRead = true }, Ct)).Item;
        Assert.Equal("64", v1["offset"].N);
        Assert.False(v1.ContainsKey("version"));
        Assert.Equal(3, (await _dynamo.ScanAsync(new ScanRequest { TableName = _table }, Ct)).Count);
    }

    [Fact]
    public async Task Put_OfAVersionZero_IsRejected()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await Index().PutAsync([Row("A", 0)], Ct));

        Assert.Contains("version 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_OfManyRows_WritesBatchesOf25AndReadsBatchesOf100ManyAtOnce()
    {
        var index = Index();
        var rows = Enumerable.Range(0, 1000).Select(i => Row($"ID-{i / 4:D4}", 1 + (i % 4), offset: i)).ToArray();

        await index.PutAsync(rows, Ct);

        var put = Requests;
        // 1000 history keys + 250 pointer keys read in 100s; 1000 items written in 25s; one conditional pointer per id.
        Assert.Equal(13, put.Count(r => r.Operation == "BatchGetItem"));
        Assert.Equal(40, put.Count(r => r.Operation == "BatchWriteItem"));
        Assert.Equal(250, put.Count(r => r.Operation == "PutItem"));

        var ids = Enumerable.Range(0, 260).Select(i => $"ID-{i:D4}").ToArray();
        int before = _proxy.Requests.Count;
        var latest = await index.GetLatestManyAsync(ids, Ct);

        Assert.Equal(3, _proxy.Requests.Skip(before).Count(r => r.Operation == "BatchGetItem"));
        for (int i = 0; i < 250; i++)
        {
            Assert.Equal(rows[(i * 4) + 3], latest[i]);
        }

        Assert.All(latest.Skip(250), r => Assert.Null(r));
    }

    [Fact]
    public async Task Put_OfRowsAlreadyStored_WritesNothing()
    {
        var index = Index();
        var rows = Enumerable.Range(0, 120).Select(i => Row($"ID-{i % 30:D2}", 1 + (i / 30), offset: i)).ToArray();
        await index.PutAsync(rows, Ct);
        var before = await Scan(index, latestOnly: false);
        int mark = _proxy.Requests.Count;

        await index.PutAsync(rows, Ct);
        await index.PutAsync(rows.Select(r => r with { File = "other.rpf" }).ToArray(), Ct);

        Assert.DoesNotContain(_proxy.Requests.Skip(mark), r => r.Operation is "BatchWriteItem" or "PutItem");
        Assert.Equal(before, await Scan(index, latestOnly: false));
        Assert.Equal(rows.Skip(90), await Scan(index, latestOnly: true));
    }

    [Fact]
    public async Task LatestPointer_UnderConcurrentOutOfOrderPuts_NeverMovesBack()
    {
        var index = Index();
        var random = new Random(42);
        var ids = Enumerable.Range(0, 12).Select(i => $"ART-{i:D2}").ToArray();
        var rows = ids.SelectMany(id => Enumerable.Range(1, 25).Select(v => Row(id, v, offset: v * 1000L))).OrderBy(_ => random.Next()).ToArray();
        var batches = rows.Chunk(5).ToArray();
        using var done = new CancellationTokenSource();
        var highest = new long[ids.Length];
        int observations = 0;

        // A reader watches every pointer while the writers race: a version it saw may never be replaced by an older one.
        var watcher = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                var latest = await index.GetLatestManyAsync(ids, Ct);
                for (int i = 0; i < ids.Length; i++)
                {
                    long seen = latest[i]?.Version ?? 0;
                    Assert.True(seen >= highest[i], $"{ids[i]} moved back from {highest[i]} to {seen}");
                    highest[i] = seen;
                }

                observations++;
            }
        });

        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, ct) => await index.PutAsync(batch, ct));
        await done.CancelAsync();
        await watcher;

        Assert.True(observations > 0);
        var final = await index.GetLatestManyAsync(ids, Ct);
        Assert.All(final, r => Assert.Equal((25L, 25_000L), (r!.Value.Version, r.Value.Offset)));
        foreach (var id in ids)
        {
            Assert.Equal(Enumerable.Range(1, 25).Select(v => (long)v), (await index.GetHistoryAsync(id, Ct)).Select(r => r.Version));
        }
    }

    [Fact]
    public async Task Put_OfAnOlderVersionAfterANewerOne_CountsTheRefusedPointerWriteOrSkipsIt()
    {
        var index = Index();
        await index.PutAsync([Row("A", 5)], Ct);
        int mark = _proxy.Requests.Count;

        await index.PutAsync([Row("A", 3)], Ct);

        // The stored pointer is read first, so an older version does not even try to move it.
        Assert.DoesNotContain(_proxy.Requests.Skip(mark), r => r.Operation == "PutItem");
        Assert.Equal(5, (await index.GetLatestAsync("A", Ct))!.Value.Version);
        Assert.Equal(0, index.StalePointerWrites);
    }

    [Fact]
    public async Task History_AndAsOf_PageThroughManyVersions()
    {
        var index = Index();
        // ~300 bytes an item with a long file name: a few hundred versions span several 1 MB query pages on DynamoDB;
        // dynalite pages the same way, so this also runs the pagination loop.
        string file = "runs/" + new string('x', 200) + "/part-0000.rpf";
        var rows = Enumerable.Range(1, 400).Select(v => Row("LONG", v, file: file, at: T0.AddMinutes(v))).ToArray();
        await index.PutAsync(rows, Ct);

        Assert.Equal(rows, await index.GetHistoryAsync("LONG", Ct));
        Assert.Equal(rows[199], await index.GetAsOfAsync("LONG", T0.AddMinutes(200).AddSeconds(30), Ct));
        Assert.Equal(rows[0], await index.GetAsOfAsync("LONG", T0.AddMinutes(1), Ct));
        Assert.Null(await index.GetAsOfAsync("LONG", T0, Ct));
    }

    [Fact]
    public async Task Operations_UnderThrottlingResetsAndUnprocessedItems_GiveTheSameResultsAndCountTheRetries()
    {
        // Every 4th request of the 16 in flight is throttled, whichever request it is: under load one request drew
        // 8 throttles in a row and ran out of attempts. Running out is Batches_LeftUnprocessedRoundAfterRound_FailAsThrottled's
        // subject, not this test's, so this one allows more attempts; the counts it checks are unchanged.
        var resilience = AwsTestClients.FastResilience(throttledAttempts: 40);
        var index = new DynamoArtifactIndex(_dynamo, _table, resilience, FastBackoff);
        var rows = Enumerable.Range(0, 600).Select(i => Row($"ID-{i % 150:D3}", 1 + (i / 150), offset: i, at: T0.AddSeconds(i))).ToArray();
        _proxy.FailEvery(3, FaultKind.Unprocessed, r => r.Operation is "BatchWriteItem" or "BatchGetItem");
        _proxy.FailEvery(4, FaultKind.Throttle);
        _proxy.FailEvery(7, FaultKind.ResetBeforeForward);
        _proxy.FailEvery(9, FaultKind.ResetAfterForward);
        _proxy.FailEvery(11, FaultKind.TruncateResponse);

        foreach (var batch in rows.Chunk(200))
        {
            await index.PutAsync(batch, Ct);
        }

        await index.PutAsync(rows, Ct);
        var latest = await index.GetLatestManyAsync([.. rows.Select(r => r.ArtifactId).Distinct(), "NONE"], Ct);
        var history = await index.GetHistoryAsync("ID-007", Ct);
        var asOf = await index.GetAsOfAsync("ID-007", T0.AddSeconds(300), Ct);
        var scanned = await Scan(index, latestOnly: false);

        _proxy.Clear();
        Assert.Equal(rows.Skip(450), latest.Take(150).Select(r => r!.Value));
        Assert.Null(latest[150]);
        Assert.Equal(rows.Where(r => r.ArtifactId == "ID-007"), history);
        Assert.Equal(rows[157], asOf);
        Assert.Equal(rows.OrderBy(r => r.ArtifactId, StringComparer.Ordinal).ThenBy(r => r.Version), scanned);

        Assert.True(_proxy.InjectedOf(FaultKind.Unprocessed) > 3);
        Assert.True(_proxy.InjectedOf(FaultKind.Throttle) > 3);
        Assert.True(_proxy.InjectedOf(FaultKind.TruncateResponse) > 0);
        Assert.True(index.UnprocessedRetried > 0);
        Assert.Equal(_proxy.InjectedOf(FaultKind.Throttle), resilience.ThrottledRetries);
        // Resets and cut-short DynamoDB responses are resent below AwsResilience (by .NET's handler for resets on
        // reused connections; cut-short JSON bodies were also resent without reaching it), so only an upper bound holds.
        Assert.InRange(resilience.TransientRetries, 0, _proxy.InjectedOf(FaultKind.TruncateResponse) + _proxy.InjectedOf(FaultKind.ResetBeforeForward) + _proxy.InjectedOf(FaultKind.ResetAfterForward));
    }

    [Fact]
    public async Task Batches_LeftUnprocessedRoundAfterRound_FailAsThrottled()
    {
        var index = new DynamoArtifactIndex(_dynamo, _table, AwsTestClients.FastResilience(), FastBackoff with { UnprocessedAttempts = 3 });
        _proxy.FailEvery(1, FaultKind.Unprocessed);

        var write = await Assert.ThrowsAsync<ReconRetryableException>(async () => await index.PutAsync([Row("A", 1)], Ct));
        var read = await Assert.ThrowsAsync<ReconRetryableException>(async () => await index.GetLatestManyAsync(["A"], Ct));

        Assert.Equal(ReconErrorNames.Throttled, write.ErrorName);
        Assert.Equal(ReconErrorNames.Throttled, read.ErrorName);
        Assert.Contains("BatchGetItem", write.Message, StringComparison.Ordinal);
        Assert.Contains("after 3 rounds", read.Message, StringComparison.Ordinal);
        // Put reads its 2 keys (history item, pointer) in 3 rounds, the lookup its 1 key; resent: 2 × 2 + 2 × 1.
        Assert.Equal(6, Requests.Count(r => r.Fault == FaultKind.Unprocessed));
        Assert.Equal(6, index.UnprocessedRetried);
    }

    [Fact]
    public async Task Clear_OnATableOf2000Items_DeletesThousandsOfItemsAcrossScanSegments()
    {
        var index = Index();
        await index.PutAsync(Enumerable.Range(0, 1500).Select(i => Row($"C-{i % 500:D3}", 1 + (i / 500))).ToArray(), Ct);
        Assert.Equal(2000, (await Scan(index, latestOnly: false)).Count + (await Scan(index, latestOnly: true)).Count);

        await index.ClearAsync(Ct);

        Assert.Equal(0, (await _dynamo.ScanAsync(new ScanRequest { TableName = _table, ConsistentRead = true }, Ct)).Count);
        Assert.True(Requests.Count(r => r.Operation == "Scan") >= 4, "one scan per segment at least");
    }

    private DynamoArtifactIndex Index() => new(_dynamo, _table, AwsTestClients.FastResilience(), FastBackoff);

    private static IndexRow Row(string id, long version, string file = "runs/r-000001/part-0000.rpf", long offset = 64, int length = 100, DateTimeOffset? at = null) =>
        new(id, version, file, offset, length, "r-000001", at ?? T0);

    private static Dictionary<string, AttributeValue> Key(string id, long sk) =>
        new() { ["pk"] = new AttributeValue { S = id }, ["sk"] = new AttributeValue { N = sk.ToString(System.Globalization.CultureInfo.InvariantCulture) } };

    private static async Task<List<IndexRow>> Scan(IArtifactIndex index, bool latestOnly)
    {
        var rows = new List<IndexRow>();
        await foreach (var row in index.ScanAsync(latestOnly, Ct))
        {
            rows.Add(row);
        }

        return rows;
    }
}
