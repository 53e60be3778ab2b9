using System.CommandLine;
using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Pipeline.Planning;

namespace Recon.Cli.Commands;

/// <summary><c>recon batches retry ID</c>: a failed batch back to pending, once its input was fixed.</summary>
internal static class BatchRetryCommand
{
    public static void Add(RootCommand root, CliIO io)
    {
        var batches = root.Subcommands.FirstOrDefault(c => c.Name == "batches")
            ?? throw new InvalidOperationException("'recon batches' must be added before its retry subcommand");
        var id = new Argument<string>("ID") { Description = "The failed batch" };
        var retry = new Command("retry", "Re-queue a failed batch after its input was fixed: the next run reads its manifest and files again") { id };
        retry.SetAction(async (pr, ct) =>
        {
            var settings = CliOptions.Settings(pr);
            using var ws = Workspace.Open(settings, create: false);
            string batchId = pr.GetValue(id)!;
            string? reason = (await ws.Backend.Ledger.GetBatchAsync(batchId, ct))?.Reason;
            var batch = await ws.Stages.BatchRetrier().RetryAsync(batchId, ct);
            using (var access = ReconAccessStore.Open(settings, ws.Backend.Time))
            {
                await access.Store.AppendAuditAsync(new AuditEntry(ws.Backend.Time.GetUtcNow(), $"cli:{Environment.UserName}", "batch.retry", batchId, $"was failed: {reason}"), ct);
            }

            io.Out.WriteLine($"batch '{batch.BatchId}' is pending again ({batch.DeclaredRecords} record(s) declared); the next 'recon run' processes it.");
            return 0;
        });
        batches.Add(retry);
    }
}
