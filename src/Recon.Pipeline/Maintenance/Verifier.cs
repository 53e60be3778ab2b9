using Recon.Core;
using Recon.Core.Artifacts;
using Recon.Core.PartFiles;
using Recon.Core.Ports;
using Recon.Pipeline.Formats;
using Recon.Pipeline.Reading;

namespace Recon.Pipeline.Maintenance;

/// <summary>
/// <c>recon verify</c>: every index row against its part-file record (CRC, id, version; for a format 2 record also each
/// section its chain links to, against the CRC in the link), and every part-file footer against the index. Reads the files directly, never the cache.
/// </summary>
public sealed class Verifier(IObjectStore store, IArtifactIndex index, IReconLedger ledger)
{
    public async Task<VerifyReport> VerifyAsync(IProgress<long>? progress, CancellationToken ct)
    {
        var problems = new List<string>();
        var indexed = new Dictionary<(string, long), IndexRow>();
        long rows = 0;
        await foreach (var row in index.ScanAsync(latestOnly: false, ct).ConfigureAwait(false))
        {
            rows++;
            indexed[(row.ArtifactId, row.Version)] = row;
            if (await CheckRowAsync(row, ct).ConfigureAwait(false) is { } problem)
            {
                problems.Add(problem);
            }

            if (rows % 10_000 == 0)
            {
                progress?.Report(rows);
            }
        }

        var runs = (await ledger.ListRunsAsync(ct).ConfigureAwait(false)).ToDictionary(r => r.RunId, StringComparer.Ordinal);
        long files = 0, entries = 0;
        await foreach (var obj in store.ListAsync(RunLayout.PartsPrefix, ct).ConfigureAwait(false))
        {
            var runId = RunLayout.RunIdOfPartFile(obj.Key);
            if (runId is null)
            {
                continue;
            }

            if (!runs.TryGetValue(runId, out var run) || run.Stage < RunStage.Processed)
            {
                // An unfinished run's files are rewritten when it resumes; they are not part of the state yet.
                continue;
            }

            files++;
            IReadOnlyList<PartFileEntry> footer;
            try
            {
                footer = await PartFileFooterReader.ReadAsync(store, obj.Key, ct).ConfigureAwait(false);
            }
            catch (ReconException ex)
            {
                problems.Add(ex.Message);
                continue;
            }

            foreach (var e in footer)
            {
                entries++;
                if (!indexed.TryGetValue((e.ArtifactId, e.Version), out var row))
                {
                    problems.Add($"part-file '{obj.Key}' holds '{e.ArtifactId}' version {e.Version} at offset {e.Offset}, which the index lacks; run 'recon reindex'.");
                }
                else if (row.File != obj.Key || row.Offset != e.Offset || row.Length != e.Length)
                {
                    problems.Add($"index row for '{e.ArtifactId}' version {e.Version} points to '{row.File}' at {row.Offset} (+{row.Length}) but the footer of '{obj.Key}' says offset {e.Offset} (+{e.Length}); run 'recon reindex'.");
                }
            }
        }

        return new VerifyReport(rows, files, entries, problems);
    }

    private async Task<string?> CheckRowAsync(IndexRow row, CancellationToken ct)
    {
        try
        {
            var record = new byte[row.Length];
            await PartFileFooterReader.ReadExactlyAsync(store, row.File, row.Offset, record, ct).ConfigureAwait(false);
            var payload = PartFileRecord.Verify(record, row.File, row.Offset, row.ArtifactId);
            ArtifactRecordReader.VerifyIdentity(payload, row);
            if (SegmentedRecordCodec.IsSegmented(payload))
            {
                // Each link of the chain must still address the bytes it names: one ranged read per earlier section.
                var reader = new ArtifactRecordReader(store, null);
                foreach (var segment in SegmentedRecordCodec.ReadHead(payload).Chain)
                {
                    await reader.ReadSegmentLinesAsync(segment, row.ArtifactId, ct).ConfigureAwait(false);
                    await reader.ReadSegmentIdsAsync(segment, row.ArtifactId, ct).ConfigureAwait(false);
                }
            }

            return null;
        }
        catch (ReconException ex)
        {
            return ex.Message;
        }
    }
}
