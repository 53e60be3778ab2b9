using Recon.Core;
using Recon.Core.Artifacts;
using Recon.Core.Ports;

namespace Recon.Pipeline.Reading;

/// <summary>What users ask of artifacts: the latest (or as-of) version, the full history, and an export of all.</summary>
public sealed class ArtifactQueries(IArtifactIndex index, ArtifactRecordReader reader)
{
    public async Task<ArtifactVersion> GetAsync(string artifactId, DateTimeOffset? asOf, CancellationToken ct)
    {
        IndexRow row = await RowAsync(artifactId, asOf, ct).ConfigureAwait(false);
        return new ArtifactVersion(row, await reader.ReadArtifactAsync(row, ct).ConfigureAwait(false));
    }

    private async Task<IndexRow> RowAsync(string artifactId, DateTimeOffset? asOf, CancellationToken ct) =>
        asOf is { } t
            ? await index.GetAsOfAsync(artifactId, t, ct).ConfigureAwait(false) ?? throw await NotFoundAsOf(artifactId, t, ct).ConfigureAwait(false)
            : await index.GetLatestAsync(artifactId, ct).ConfigureAwait(false) ?? throw ReconErrors.ArtifactNotFound(artifactId);

    /// <summary>
    /// The latest (or as-of) version with only lines [offset, offset + limit); its line count stays the artifact's
    /// total. Reads only the segments holding the page.
    /// </summary>
    public async Task<ArtifactVersion> GetLinesAsync(string artifactId, DateTimeOffset? asOf, long offset, long limit, CancellationToken ct)
    {
        if (offset < 0 || limit < 0)
        {
            throw ReconErrors.LinePageNegative(offset, limit);
        }

        IndexRow row = await RowAsync(artifactId, asOf, ct).ConfigureAwait(false);
        return new ArtifactVersion(row, await reader.ReadPageAsync(row, offset, limit, ct).ConfigureAwait(false));
    }

    /// <summary>Every version, oldest first, each with all its lines (a chain read per version: prefer <see cref="HistorySummariesAsync"/>).</summary>
    public Task<IReadOnlyList<ArtifactVersion>> HistoryAsync(string artifactId, CancellationToken ct) => HistoryCoreAsync(artifactId, long.MaxValue, ct);

    /// <summary>
    /// Every version, oldest first, each with its summary only (line count, balances, totals, status, times): a long
    /// history costs one record read per version. Read one version's lines with <see cref="GetAsync"/> and as-of.
    /// </summary>
    public Task<IReadOnlyList<ArtifactVersion>> HistorySummariesAsync(string artifactId, CancellationToken ct) => HistoryCoreAsync(artifactId, 0, ct);

    private async Task<IReadOnlyList<ArtifactVersion>> HistoryCoreAsync(string artifactId, long lines, CancellationToken ct)
    {
        var rows = await index.GetHistoryAsync(artifactId, ct).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            throw ReconErrors.ArtifactNotFound(artifactId);
        }

        var versions = new List<ArtifactVersion>(rows.Count);
        foreach (var row in rows)
        {
            versions.Add(new ArtifactVersion(row, await reader.ReadPageAsync(row, 0, lines, ct).ConfigureAwait(false)));
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
        var json = new System.Buffers.ArrayBufferWriter<byte>(64 << 10);
        await foreach (var row in index.ScanAsync(latestOnly: !history, ct).ConfigureAwait(false))
        {
            var record = await reader.ReadRecordAsync(row, ct).ConfigureAwait(false);
            int length = Core.PartFiles.PartFileRecord.Verify(record, row.File, row.Offset, row.ArtifactId).Length;
            if (SegmentedRecordCodec.IsSegmented(record.AsSpan(Core.PartFiles.PartFileFormat.RecordHeaderSize)))
            {
                json.ResetWrittenCount();
                ArtifactCodec.Write(json, await reader.ReadArtifactAsync(row, ct).ConfigureAwait(false));
                await output.WriteAsync(json.WrittenMemory, ct).ConfigureAwait(false);
            }
            else
            {
                // A format 1 payload is already the artifact JSON: copy it rather than decode and re-encode.
                ArtifactRecordReader.VerifyIdentity(record.AsSpan(Core.PartFiles.PartFileFormat.RecordHeaderSize), row);
                await output.WriteAsync(record.AsMemory(Core.PartFiles.PartFileFormat.RecordHeaderSize, length), ct).ConfigureAwait(false);
            }

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
