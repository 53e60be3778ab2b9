using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Amazon.S3;
using Amazon.S3.Model;
using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Storage.Aws;

/// <summary>
/// Object store on one S3 bucket. Every object lives at <c>{prefix}/{key}</c> (no prefix when it is empty), so several
/// deployments or tests can share a bucket; keys are the same '/'-separated relative paths as the local folder store.
/// Part-files are published with one PutObject, or a multipart upload (aborted on failure) above a size threshold;
/// reads are ranged GETs. Every SDK call goes through <see cref="AwsResilience"/>; the injected client is not disposed.
/// </summary>
public sealed class S3ObjectStore : IObjectStore
{
    private readonly IAmazonS3 _s3;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly AwsResilience _resilience;
    private readonly S3ObjectStoreOptions _options;

    public S3ObjectStore(IAmazonS3 s3, string bucket, string prefix, AwsResilience resilience, S3ObjectStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(resilience);
        _s3 = s3;
        _bucket = bucket;
        _prefix = S3Keys.NormalizePrefix(prefix);
        _resilience = resilience;
        _options = options ?? new S3ObjectStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.PartSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MultipartThreshold, 0, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConcurrentParts, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ListPageSize, 1, nameof(options));
    }

    public string Bucket => _bucket;

    /// <summary>The normalized key prefix: empty, or ending with '/'.</summary>
    public string Prefix => _prefix;

    /// <summary>Creates <paramref name="bucket"/> when it does not exist; returns whether it did. Safe to call again.</summary>
    public static async Task<bool> EnsureBucketAsync(IAmazonS3 s3, string bucket, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        try
        {
            await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, ct).ConfigureAwait(false);
            return false;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }

        try
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, ct).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "BucketAlreadyOwnedByYou")
        {
            // Created by a concurrent `recon init` between our HEAD and PUT.
            return false;
        }
    }

    public async ValueTask PublishAsync(string key, string localPath, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        string objectKey = ObjectKey(key);
        long length = new FileInfo(localPath).Length;
        if (length > _options.MultipartThreshold)
        {
            await PublishMultipartAsync(objectKey, localPath, length, ct).ConfigureAwait(false);
        }
        else
        {
            await _resilience.ExecuteAsync($"PutObject {objectKey}", token => _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket,
                Key = objectKey,
                FilePath = localPath,
                // s3rver (and some other S3-compatible servers) would store aws-chunked signatures inside the object.
                UseChunkEncoding = false,
            }, token), ct).ConfigureAwait(false);
        }

        // Consumed only once the object is durable: a failed publish leaves the file for the caller's retry.
        File.Delete(localPath);
    }

    public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        string objectKey = ObjectKey(key);
        var segment = MemoryMarshal.TryGetArray(content, out var array) ? array : new ArraySegment<byte>(content.ToArray());
        await _resilience.ExecuteAsync($"PutObject {objectKey}", token => _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket,
            Key = objectKey,
            // A fresh stream per attempt: a retry must send the whole body again.
            InputStream = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false),
            AutoCloseStream = true,
            UseChunkEncoding = false,
        }, token), ct).ConfigureAwait(false);
    }

    public async ValueTask<int> ReadAsync(string key, long offset, Memory<byte> into, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string objectKey = ObjectKey(key);
        if (into.Length == 0)
        {
            // No range can be empty; only the existence check remains, as on the local store.
            _ = await GetLengthAsync(key, ct).ConfigureAwait(false) ?? throw ReconErrors.ObjectMissing(key);
            return 0;
        }

        try
        {
            return await _resilience.ExecuteAsync($"GetObject {objectKey}", async token =>
            {
                using var response = await _s3.GetObjectAsync(new GetObjectRequest
                {
                    BucketName = _bucket,
                    Key = objectKey,
                    ByteRange = new ByteRange(offset, offset + into.Length - 1),
                }, token).ConfigureAwait(false);

                // The whole range is read inside the retried call: a body cut short (connection reset, an object
                // replaced mid-read) throws and the range is fetched again.
                var body = response.ResponseStream;
                long expected = Math.Min(response.ContentLength, into.Length);
                int total = 0;
                while (total < into.Length)
                {
                    int n = await body.ReadAsync(into[total..], token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                }

                if (total < expected)
                {
                    throw new IOException($"GetObject {objectKey} returned {total} of {expected} bytes at offset {offset}");
                }

                return total;
            }, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (IsMissingKey(e))
        {
            throw ReconErrors.ObjectMissing(key);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The object exists and ends at or before the offset: a short read of nothing, as at a file's end.
            return 0;
        }
    }

    public async ValueTask<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        string objectKey = ObjectKey(key);
        try
        {
            var response = await _resilience.ExecuteAsync(
                $"GetObject {objectKey}",
                token => _s3.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = objectKey }, token),
                ct).ConfigureAwait(false);

            // Disposing the body stream releases the connection; a failure while streaming surfaces to the reader.
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (IsMissingKey(e))
        {
            throw ReconErrors.ObjectMissing(key);
        }
    }

    public async ValueTask<long?> GetLengthAsync(string key, CancellationToken ct)
    {
        string objectKey = ObjectKey(key);
        try
        {
            var metadata = await _resilience.ExecuteAsync(
                $"HeadObject {objectKey}",
                token => _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = objectKey }, token),
                ct).ConfigureAwait(false);
            return metadata.ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Pages through ListObjectsV2, then yields in ordinal key order. All entries of the prefix are held in memory
    /// (about 100 bytes each), as the local store does: S3 already lists in UTF-8 byte order, but S3-compatible servers
    /// such as s3rver list folder by folder, and the port promises key order.
    /// </summary>
    public async IAsyncEnumerable<ObjectEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        S3Keys.ValidatePrefix(prefix);
        string listPrefix = _prefix + prefix;
        var entries = new List<ObjectEntry>();
        string? continuation = null;
        do
        {
            string? token = continuation;
            var page = await _resilience.ExecuteAsync($"ListObjectsV2 {listPrefix}", t => _s3.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _bucket,
                Prefix = listPrefix,
                MaxKeys = _options.ListPageSize,
                ContinuationToken = token,
            }, t), ct).ConfigureAwait(false);

            if (page.S3Objects is { } objects)
            {
                foreach (var o in objects)
                {
                    entries.Add(new ObjectEntry(o.Key[_prefix.Length..], o.Size ?? 0));
                }
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        entries.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var entry in entries)
        {
            ct.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    public async ValueTask DeleteAsync(string key, CancellationToken ct)
    {
        string objectKey = ObjectKey(key);

        // S3 answers 204 for a key that is not there: deleting is idempotent.
        await _resilience.ExecuteAsync(
            $"DeleteObject {objectKey}",
            token => _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = objectKey }, token),
            ct).ConfigureAwait(false);
    }

    private async Task PublishMultipartAsync(string objectKey, string localPath, long length, CancellationToken ct)
    {
        var initiated = await _resilience.ExecuteAsync(
            $"CreateMultipartUpload {objectKey}",
            token => _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = objectKey }, token),
            ct).ConfigureAwait(false);
        string uploadId = initiated.UploadId;
        long partSize = _options.PartSize;
        int partCount = checked((int)((length + partSize - 1) / partSize));
        var etags = new PartETag[partCount];
        try
        {
            // Parallel.ForEachAsync returns only when every started part has finished, so the abort below never
            // races a part still being uploaded (which S3 could keep and bill).
            await Parallel.ForEachAsync(
                Enumerable.Range(0, partCount),
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentParts, CancellationToken = ct },
                async (index, token) =>
                {
                    long position = index * partSize;
                    int number = index + 1;
                    var uploaded = await _resilience.ExecuteAsync($"UploadPart {objectKey} #{number}", t => _s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = _bucket,
                        Key = objectKey,
                        UploadId = uploadId,
                        PartNumber = number,
                        FilePath = localPath,
                        FilePosition = position,
                        PartSize = Math.Min(partSize, length - position),
                        IsLastPart = number == partCount,
                        UseChunkEncoding = false,
                    }, t), token).ConfigureAwait(false);
                    etags[index] = new PartETag(number, uploaded.ETag);
                }).ConfigureAwait(false);

            await _resilience.ExecuteAsync($"CompleteMultipartUpload {objectKey}", token => _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = objectKey,
                UploadId = uploadId,
                PartETags = [.. etags],
            }, token), ct).ConfigureAwait(false);
        }
        catch
        {
            await AbortQuietlyAsync(objectKey, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    private async Task AbortQuietlyAsync(string objectKey, string uploadId)
    {
        try
        {
            // Not the caller's token: the abort must also run when the publish was cancelled (but not for ever).
            using var cleanup = _resilience.CleanupTimeout(TimeSpan.FromMinutes(1));
            await _resilience.ExecuteAsync(
                $"AbortMultipartUpload {objectKey}",
                token => _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = objectKey, UploadId = uploadId }, token),
                cleanup.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The publish's own error is the one to report; a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes what an abort could not.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private string ObjectKey(string key)
    {
        S3Keys.Validate(key);
        return S3Keys.Join(_prefix, key);
    }

    private static bool IsMissingKey(AmazonS3Exception e) =>
        e.ErrorCode == "NoSuchKey" || (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket");
}
