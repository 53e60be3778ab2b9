using Recon.Core;
using Recon.Core.Artifacts;
using Recon.Core.PartFiles;
using Recon.Core.Ports;

namespace Recon.Pipeline.Reading;

/// <summary>
/// Reads one artifact version the way the index promises it: from the cache by versioned key, else with one ranged
/// read of its part-file; the CRC, the artifact id and the version are checked either way.
/// </summary>
public sealed class ArtifactRecordReader(IObjectStore store, IArtifactCache? cache)
{
    /// <summary>The whole record (header and payload), verified.</summary>
    public async ValueTask<byte[]> ReadRecordAsync(IndexRow row, CancellationToken ct)
    {
        if (cache is not null)
        {
            var hit = new byte[1][];
            await cache.GetManyAsync([new ArtifactCacheKey(row.ArtifactId, row.Version)], hit, ct).ConfigureAwait(false);
            if (hit[0] is { } cached && cached.Length == row.Length && TryVerify(cached))
            {
                return cached;
            }
        }

        return await ReadFromFileAsync(row, ct).ConfigureAwait(false);
    }

    public async ValueTask<byte[]> ReadFromFileAsync(IndexRow row, CancellationToken ct)
    {
        var record = new byte[row.Length];
        int total = 0;
        while (total < record.Length)
        {
            int n = await store.ReadAsync(row.File, row.Offset + total, record.AsMemory(total), ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw ReconErrors.CorruptRecord(row.File, row.Offset, row.ArtifactId, $"the file ends after {total} of the record's {row.Length} bytes");
            }

            total += n;
        }

        PartFileRecord.Verify(record, row.File, row.Offset, row.ArtifactId);
        return record;
    }

    public async ValueTask<ArtifactState> ReadArtifactAsync(IndexRow row, CancellationToken ct)
    {
        var record = await ReadRecordAsync(row, ct).ConfigureAwait(false);
        return Decode(record, row.File, row.Offset, row.ArtifactId, row.Version);
    }

    /// <summary>Decodes a verified record and checks it is the (id, version) it should be.</summary>
    public static ArtifactState Decode(byte[] record, string file, long offset, string artifactId, long version, Core.Events.StringPool? pool = null)
    {
        var payload = PartFileRecord.Verify(record, file, offset, artifactId);
        ArtifactState state;
        try
        {
            state = ArtifactCodec.Read(payload, pool);
        }
        catch (FormatException ex)
        {
            throw ReconErrors.CorruptRecord(file, offset, artifactId, ex.Message);
        }

        CheckIdentity(state.ArtifactId, state.Version, file, offset, artifactId, version);
        return state;
    }

    /// <summary>Checks, without decoding the lines, that a verified payload is the (id, version) the index row names.</summary>
    public static void VerifyIdentity(ReadOnlySpan<byte> payload, IndexRow row)
    {
        (string Id, long Version) identity;
        try
        {
            identity = ArtifactCodec.ReadIdentity(payload);
        }
        catch (FormatException ex)
        {
            throw ReconErrors.CorruptRecord(row.File, row.Offset, row.ArtifactId, ex.Message);
        }

        CheckIdentity(identity.Id, identity.Version, row.File, row.Offset, row.ArtifactId, row.Version);
    }

    private static void CheckIdentity(string actualId, long actualVersion, string file, long offset, string artifactId, long version)
    {
        if (!string.Equals(actualId, artifactId, StringComparison.Ordinal) || actualVersion != version)
        {
            throw ReconErrors.CorruptRecord(file, offset, artifactId, $"the record holds '{actualId}' version {actualVersion}, not version {version}");
        }
    }

    private static bool TryVerify(byte[] record)
    {
        try
        {
            PartFileRecord.Verify(record, "cache", 0, null);
            return true;
        }
        catch (CorruptRecordException)
        {
            return false;
        }
    }
}
