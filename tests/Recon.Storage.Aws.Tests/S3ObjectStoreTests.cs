using Amazon.S3;
using Amazon.S3.Model;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Testing;
using Recon.Testing.Servers;

namespace Recon.Storage.Aws.Tests;

/// <summary>What only the S3 adapter does: multipart publish, prefixes, pagination, and behaviour under injected faults.</summary>
public sealed class S3ObjectStoreTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly S3ObjectStoreOptions SmallParts = new() { MultipartThreshold = 1 << 20, PartSize = 1 << 20, MaxConcurrentParts = 3 };

    private readonly TempFolder _staging = new();
    private readonly FaultProxy _proxy = FaultProxy.Start(SharedServers.S3.ServiceUrl);
    private readonly IAmazonS3 _s3;
    private readonly string _bucket = AwsTestClients.UniqueName("s3store");
    private readonly int _setupRequests;

    public S3ObjectStoreTests()
    {
        _s3 = AwsTestClients.S3(_proxy.Url);
        Assert.True(S3ObjectStore.EnsureBucketAsync(_s3, _bucket, Ct).GetAwaiter().GetResult());
        _setupRequests = _proxy.Requests.Count;
    }

    /// <summary>The requests of the test itself, after the bucket was created.</summary>
    private List<ProxiedRequest> Requests => [.. _proxy.Requests.Skip(_setupRequests)];

    public void Dispose()
    {
        _s3.Dispose();
        _proxy.Dispose();
        _staging.Dispose();
    }

    [Fact]
    public async Task EnsureBucket_WhenItExists_ReturnsFalseAndKeepsTheObjects()
    {
        var store = Store("");
        await store.PutAsync("k", "kept"u8.ToArray(), Ct);

        Assert.False(await S3ObjectStore.EnsureBucketAsync(_s3, _bucket, Ct));
        Assert.Equal(4L, await store.GetLengthAsync("k", Ct));
    }

    [Fact]
    public async Task Publish_AboveTheThreshold_UploadsPartsAndRoundTripsTheBytesExactly()
    {
        var content = RandomBytes((5 << 20) + 12345, seed: 1);
        string local = Stage("big.rpf", content);
        var store = Store("runs");

        await store.PublishAsync("r-000001/part-0000.rpf", local, Ct);

        Assert.False(File.Exists(local));
        Assert.Equal(content.Length, await store.GetLengthAsync("r-000001/part-0000.rpf", Ct));
        Assert.Equal(content, await ReadAllStreamed(store, "r-000001/part-0000.rpf"));
        // Ranged reads across the part boundaries (every 1 MiB) see the same bytes.
        var buffer = new byte[100_000];
        foreach (long offset in new long[] { 0, (1 << 20) - 50_000, (3 << 20) - 1, content.Length - 100_000 })
        {
            Assert.Equal(buffer.Length, await store.ReadAsync("r-000001/part-0000.rpf", offset, buffer, Ct));
            Assert.True(content.AsSpan((int)offset, buffer.Length).SequenceEqual(buffer), $"range at {offset} differs");
        }

        var requests = Requests;
        Assert.Equal(6, requests.Count(r => r.Method == "PUT" && r.PathAndQuery.Contains("partNumber=", StringComparison.Ordinal)));
        Assert.Single(requests, r => r.Method == "POST" && r.PathAndQuery.EndsWith("?uploads", StringComparison.Ordinal));
        Assert.Single(requests, r => r.Method == "POST" && r.PathAndQuery.Contains("uploadId=", StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.Method == "PUT" && !r.PathAndQuery.Contains('?', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_AtTheThreshold_IsOnePutObject()
    {
        var content = RandomBytes(1 << 20, seed: 2);
        var store = Store("");

        await store.PublishAsync("p", Stage("p", content), Ct);

        Assert.Equal(content, await ReadAllStreamed(store, "p"));
        Assert.Single(Requests, r => r.Method == "PUT");
        Assert.DoesNotContain(Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Publish_WhenAPartKeepsFailing_AbortsTheUploadAndKeepsTheLocalFile()
    {
        var content = RandomBytes((4 << 20) + 1, seed: 3);
        string local = Stage("part.rpf", content);
        var resilience = new AwsResilience(new AwsResilienceOptions { TransientAttempts = 2, TransientDelay = TimeSpan.FromMilliseconds(1) });
        var store = new S3ObjectStore(_s3, _bucket, "", resilience, SmallParts);
        _proxy.FailEvery(1, FaultKind.ResetBeforeForward, r => r.PathAndQuery.Contains("partNumber=3&", StringComparison.Ordinal) || r.PathAndQuery.EndsWith("partNumber=3", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<ReconRetryableException>(async () => await store.PublishAsync("p/part.rpf", local, Ct));

        var requests = Requests;
        Assert.Equal(ReconErrorNames.Transient, error.ErrorName);
        Assert.Contains("UploadPart p/part.rpf #3", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(local), "a failed publish must leave the local file for the retry");
        Assert.Null(await store.GetLengthAsync("p/part.rpf", Ct));
        // s3rver implements neither AbortMultipartUpload nor ListMultipartUploads, so the abort is checked on the
        // wire: one DELETE of the same upload id, sent after every part request had finished.
        string uploadId = UploadIdOf(requests.First(r => r.PathAndQuery.Contains("partNumber=", StringComparison.Ordinal)));
        // At least one reset per attempt of our retry policy (.NET's handler may silently resend on a reused connection).
        Assert.True(requests.Count(r => r.Fault == FaultKind.ResetBeforeForward) >= 2);
        var abort = Assert.Single(requests, r => r.Method == "DELETE");
        Assert.Equal(uploadId, UploadIdOf(abort));
        Assert.Equal(requests.Count - 1, requests.IndexOf(abort));
        Assert.All(requests.Where(r => r.PathAndQuery.Contains("partNumber=", StringComparison.Ordinal)), r => Assert.Equal(uploadId, UploadIdOf(r)));

        // The file left behind publishes fine once the fault is gone.
        _proxy.Clear();
        await store.PublishAsync("p/part.rpf", local, Ct);
        Assert.Equal(content, await ReadAllStreamed(store, "p/part.rpf"));
    }

    [Fact]
    public async Task Publish_WhenCancelledDuringTheParts_AbortsTheUpload()
    {
        var content = RandomBytes(8 << 20, seed: 4);
        string local = Stage("part.rpf", content);
        var store = new S3ObjectStore(_s3, _bucket, "", AwsTestClients.FastResilience(), SmallParts with { MaxConcurrentParts = 1 });
        using var cancel = new CancellationTokenSource();
        // Part 2 is held by throttling until the test cancels; the upload must then be aborted, not left behind.
        _proxy.FailEvery(1, FaultKind.Throttle, r =>
        {
            if (r.PathAndQuery.Contains("partNumber=2", StringComparison.Ordinal))
            {
                cancel.Cancel();
                return true;
            }

            return false;
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.PublishAsync("c/part.rpf", local, cancel.Token));

        Assert.True(File.Exists(local));
        var requests = Requests;
        Assert.Equal(UploadIdOf(requests.First(r => r.PathAndQuery.Contains("partNumber=1", StringComparison.Ordinal))), UploadIdOf(Assert.Single(requests, r => r.Method == "DELETE")));
        Assert.DoesNotContain(requests, r => r.PathAndQuery.Contains("partNumber=8", StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.Method == "POST" && r.PathAndQuery.Contains("uploadId=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Republish_OfAnExistingKey_IsExactlyOnePutAndNoDelete()
    {
        // What makes replacement atomic on S3: the new version arrives in one request, never delete-then-put.
        var store = Store("x");
        await store.PublishAsync("k", Stage("1", "first"u8.ToArray()), Ct);
        int before = _proxy.Requests.Count;

        await store.PublishAsync("k", Stage("2", "second"u8.ToArray()), Ct);

        var republish = _proxy.Requests.Skip(before).ToList();
        Assert.Equal(["PUT"], republish.Select(r => r.Method));
        Assert.Equal("second", System.Text.Encoding.UTF8.GetString(await ReadAllStreamed(store, "k")));
    }

    [Fact]
    public async Task Stores_WithDifferentPrefixes_ShareABucketWithoutSeeingEachOther()
    {
        var a = Store("tenant-a");
        var ab = Store("/tenant-a-b/");
        var root = Store("");
        await a.PutAsync("runs/p", "A"u8.ToArray(), Ct);
        await ab.PutAsync("runs/p", "AB"u8.ToArray(), Ct);

        Assert.Equal([new ObjectEntry("runs/p", 1)], await List(a, ""));
        Assert.Equal([new ObjectEntry("runs/p", 2)], await List(ab, ""));
        Assert.Equal(["tenant-a-b/runs/p", "tenant-a/runs/p"], (await List(root, "")).Select(e => e.Key));
        Assert.Equal(1L, await root.GetLengthAsync("tenant-a/runs/p", Ct));

        // The layout on the bucket is {prefix}/{key}.
        var raw = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket }, Ct);
        Assert.Equal(["tenant-a-b/runs/p", "tenant-a/runs/p"], raw.S3Objects.Select(o => o.Key).Order(StringComparer.Ordinal));

        await a.DeleteAsync("runs/p", Ct);
        Assert.Null(await a.GetLengthAsync("runs/p", Ct));
        Assert.Equal(2L, await ab.GetLengthAsync("runs/p", Ct));
        await Assert.ThrowsAsync<ReconException>(async () => await a.ReadAsync("runs/p", 0, new byte[1], Ct));
    }

    [Theory]
    [InlineData("a/../b")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    public void Constructor_WithAnInvalidPrefix_ThrowsArgumentException(string prefix)
    {
        Assert.Throws<ArgumentException>(() => new S3ObjectStore(_s3, _bucket, prefix, AwsTestClients.FastResilience()));
    }

    [Fact]
    public async Task List_OfMoreKeysThanTheListPageSize_PagesThroughEveryKeyInOrder()
    {
        var store = new S3ObjectStore(_s3, _bucket, "paged", AwsTestClients.FastResilience(), new S3ObjectStoreOptions { ListPageSize = 16 });
        var keys = Enumerable.Range(0, 250).Select(i => $"runs/r-000001/part-{i:D4}.rpf").ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, ct) => await store.PutAsync(key, new byte[key.Length % 7], ct));
        int before = _proxy.Requests.Count;

        var listed = await List(store, "runs/");

        Assert.Equal(keys, listed.Select(e => e.Key));
        Assert.All(listed, e => Assert.Equal(e.Key.Length % 7, e.Length));
        Assert.Equal(16, _proxy.Requests.Skip(before).Count(r => r.Method == "GET" && r.PathAndQuery.Contains("list-type=2", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task List_OverMoreThanOneThousandKeys_FollowsTheContinuationToken()
    {
        var store = Store("thousand");
        var keys = Enumerable.Range(0, 1005).Select(i => $"k/{i:D5}").ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, ct) => await store.PutAsync(key, new byte[1], ct));
        int before = _proxy.Requests.Count;

        var listed = await List(store, "k/");

        Assert.Equal(keys, listed.Select(e => e.Key));
        Assert.Equal(2, _proxy.Requests.Skip(before).Count(r => r.Method == "GET" && r.PathAndQuery.Contains("list-type=2", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Operations_UnderThrottlingAndResets_GiveTheSameResultsAndCountTheRetries()
    {
        var resilience = AwsTestClients.FastResilience();
        var store = new S3ObjectStore(_s3, _bucket, "faulty", resilience, SmallParts);
        var content = RandomBytes((3 << 20) + 777, seed: 5);
        _proxy.FailEvery(3, FaultKind.Throttle);
        _proxy.FailEvery(4, FaultKind.ResetBeforeForward);
        _proxy.FailEvery(5, FaultKind.TruncateResponse, r => r.Method == "GET");
        _proxy.FailEvery(7, FaultKind.ResetAfterForward, r => r.Method == "PUT");

        await store.PublishAsync("runs/big.rpf", Stage("big", content), Ct);
        for (int i = 0; i < 20; i++)
        {
            await store.PutAsync($"small/{i:D2}", RandomBytes(1000 + i, seed: 100 + i), Ct);
        }

        var random = new Random(9);
        for (int i = 0; i < 60; i++)
        {
            int offset = random.Next(content.Length);
            var buffer = new byte[random.Next(1, 200_000)];
            int n = await store.ReadAsync("runs/big.rpf", offset, buffer, Ct);
            Assert.Equal(Math.Min(buffer.Length, content.Length - offset), n);
            Assert.True(content.AsSpan(offset, n).SequenceEqual(buffer.AsSpan(0, n)), $"range at {offset} differs");
        }

        var listed = await List(store, "small/");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => new ObjectEntry($"small/{i:D2}", 1000 + i)), listed);
        await store.DeleteAsync("small/00", Ct);
        Assert.Null(await store.GetLengthAsync("small/00", Ct));

        Assert.True(_proxy.InjectedOf(FaultKind.Throttle) > 10);
        Assert.True(_proxy.InjectedOf(FaultKind.TruncateResponse) > 3);
        Assert.True(_proxy.InjectedOf(FaultKind.ResetBeforeForward) > 3);
        Assert.True(_proxy.InjectedOf(FaultKind.ResetAfterForward) > 0);
        // Every throttle reaches the SDK and is retried by AwsResilience. A reset before any response byte is resent
        // by .NET's SocketsHttpHandler itself when the connection was a reused one, so resets and cut-short bodies are
        // counted only when they reach the SDK: at least one did, never more than were injected.
        Assert.Equal(_proxy.InjectedOf(FaultKind.Throttle), resilience.ThrottledRetries);
        Assert.InRange(
            resilience.TransientRetries,
            1,
            _proxy.InjectedOf(FaultKind.TruncateResponse) + _proxy.InjectedOf(FaultKind.ResetBeforeForward) + _proxy.InjectedOf(FaultKind.ResetAfterForward));
    }

    [Fact]
    public async Task Read_WhenTheBucketIsMissing_IsNotReportedAsAMissingObject()
    {
        var store = new S3ObjectStore(_s3, AwsTestClients.UniqueName("nobucket"), "", AwsTestClients.FastResilience());

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(async () => await store.ReadAsync("k", 0, new byte[1], Ct));

        Assert.Equal("NoSuchBucket", error.ErrorCode);
    }

    private S3ObjectStore Store(string prefix) => new(_s3, _bucket, prefix, AwsTestClients.FastResilience(), SmallParts);

    private string Stage(string name, byte[] content)
    {
        string path = _staging.File(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAllStreamed(IObjectStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<List<ObjectEntry>> List(IObjectStore store, string prefix)
    {
        var entries = new List<ObjectEntry>();
        await foreach (var e in store.ListAsync(prefix, Ct))
        {
            entries.Add(e);
        }

        return entries;
    }

    private static string UploadIdOf(ProxiedRequest request)
    {
        var query = request.PathAndQuery[(request.PathAndQuery.IndexOf('?', StringComparison.Ordinal) + 1)..];
        return query.Split('&').Select(p => p.Split('=', 2)).Single(p => p[0] == "uploadId")[1];
    }
}
