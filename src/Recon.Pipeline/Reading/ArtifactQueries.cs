using Recon.Core;
using Recon.Core.Artifacts;
using Recon.Core.Ports;

namespace Recon.Pipeline.Reading;

/// <summary>What users ask of artifacts: the latest (or as-of) version, the full history, and an export of all.</summary>
public sealed class ArtifactQueries(IArtifactIndex index, ArtifactRecordReader reader)
{
    public async Task<ArtifactVersion> GetAsync(string artifactId, DateTimeOffset? asOf, CancellationToken ct)
    {
        IndexRow? row = asOf is { } t
            ? await index.GetAsOfAsync(artifactId, t, ct).ConfigureAwait(false) ?? throw await NotFoundAsOf(artifactId, t, ct).ConfigureAwait(false)
            : await index.GetLatestAsync(artifactId, ct).ConfigureAwait(false) ?? throw ReconErrors.ArtifactNotFound(artifactId);
        return new ArtifactVersion(row.Value, await reader.ReadArtifactAsync(row.Value, ct).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<ArtifactVersion>> HistoryAsync(string artifactId, CancellationToken ct)
    {
        var rows = await index.GetHistoryAsync(artifactId, ct).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            throw ReconErrors.ArtifactNotFound(artifactId);
        }

        var versions = new List<ArtifactVersion>(rows.Count);
        foreach (var row in rows)
        {
            versions.Add(new ArtifactVersion(row, await reader.ReadArtifactAsync(row, ct).ConfigureAwait(false)));
        }

        return versions;
    }

    /// <summary>Writes every artifact's latest version as one JSON line each; returns how many.</summary>
    public Task<long> ExportAsync(Stream output, CancellationToken ct) => ExportAsync(output, history: false, ct);

    /// <summary>Writes every artifact's latest version (with <paramref name="history"/>: every version) as one JSON line each; returns how many.</summary>
    public async Task<long> ExportAsync(Stream output, bool history, CancellationToken ct)
    {
        long count = 0;
        var newline = "\n"u8.ToArray();
        await foreach (var row in index.ScanAsync(latestOnly: !history, ct).ConfigureAwait(false))
        {
            var record = await reader.ReadRecordAsync(row, ct).ConfigureAwait(false);
            // The payload is already the artifact JSON: copy it rather than decode and re-encode.
            var payload = Core.PartFiles.PartFileRecord.Verify(record, row.File, row.Offset, row.ArtifactId);
            ArtifactRecordReader.VerifyIdentity(payload, row);
            await output.WriteAsync(record.AsMemory(Core.PartFiles.PartFileFormat.RecordHeaderSize, payload.Length), ct).ConfigureAwait(false);
            await output.WriteAsync(newline, ct).ConfigureAwait(false);
            count++;
        }

        return count;
    }

    /// <summary>Writes every artifact's latest version (with <paramref name="history"/>: every version) as Parquet rows (see <see cref="ArtifactParquetExporter"/>); returns how many versions.</summary>
    public async Task<long> ExportParquetAsync(Stream output, bool history, CancellationToken ct)
    {
        var exporter = await ArtifactParquetExporter.CreateAsync(output, ct).ConfigureAwait(false);
        await using (exporter.ConfigureAwait(false))
        {
            await foreach (var row in index.ScanAsync(latestOnly: !history, ct).ConfigureAwait(false))
            {
                await exporter.AddAsync(row, await reader.ReadArtifactAsync(row, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }

            await exporter.CompleteAsync(ct).ConfigureAwait(false);
            return exporter.Versions;
        }
    }

    private async Task<ReconException> NotFoundAsOf(string artifactId, DateTimeOffset asOf, CancellationToken ct) =>
        await index.GetLatestAsync(artifactId, ct).ConfigureAwait(false) is null
            ? ReconErrors.ArtifactNotFound(artifactId)
            : ReconErrors.ArtifactNotFoundAsOf(artifactId, asOf);
}
