using Recon.Core;
using Recon.Core.Batches;
using Recon.Core.Ports;
using Recon.Pipeline.Reduce;

namespace Recon.Pipeline.Planning;

/// <summary>
/// Finds batches in the inbox (<c>&lt;source&gt;/&lt;batch_id&gt;/manifest.json</c>) and registers new ones in the ledger.
/// A manifest that cannot be read marks its batch failed with the reason, so it shows in <c>recon backlog</c>.
/// </summary>
public sealed class InboxScanner(IObjectStore inbox, IReconLedger ledger, TimeProvider time)
{
    /// <summary>Registers every new batch; returns how many were registered.</summary>
    public async Task<int> ScanAsync(CancellationToken ct)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        var existing = await ledger.ListBatchesAsync(ct).ConfigureAwait(false);
        foreach (var b in existing)
        {
            known.Add(b.BatchId);
        }

        // Watermarks as they stand before this scan: a new batch whose window starts before its source's is late.
        var watermarks = existing.GroupBy(b => b.Source, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => SourceWatermark.CompleteThroughOf(g), StringComparer.Ordinal);

        int registered = 0;
        await foreach (var obj in inbox.ListAsync("", ct).ConfigureAwait(false))
        {
            var parts = obj.Key.Split('/');
            if (parts.Length != 3 || parts[2] != BatchManifest.FileName || known.Contains(parts[1]))
            {
                continue;
            }

            string location = $"{parts[0]}/{parts[1]}";
            var now = time.GetUtcNow();
            BatchManifest? manifest = null;
            string? problem = null;
            try
            {
                manifest = await StatelessReducer.ReadManifestAsync(inbox, location, ct).ConfigureAwait(false);
                if (manifest.BatchId != parts[1])
                {
                    problem = $"manifest batch_id '{manifest.BatchId}' does not match its folder '{location}'";
                }
                else if (manifest.Source != parts[0])
                {
                    problem = $"manifest source '{manifest.Source}' does not match its folder '{location}'";
                }
            }
            catch (ReconException ex)
            {
                problem = ex.Message;
            }

            var record = new BatchRecord
            {
                BatchId = parts[1],
                Source = parts[0],
                Location = location,
                WindowStart = manifest?.WindowStart ?? now,
                WindowEnd = manifest?.WindowEnd ?? now,
                DeclaredRecords = manifest?.DeclaredRecords ?? 0,
                DiscoveredAt = now,
                LateWatermark = manifest is not null && watermarks.GetValueOrDefault(parts[0]) is { } mark && manifest.WindowStart < mark ? mark : null,
            };
            if (await ledger.RegisterBatchAsync(record, ct).ConfigureAwait(false))
            {
                registered++;
                known.Add(record.BatchId);
                if (problem is not null)
                {
                    await ledger.FailBatchAsync(record.BatchId, problem, now, ct).ConfigureAwait(false);
                }
            }
        }

        return registered;
    }
}
