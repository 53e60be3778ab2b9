namespace Recon.Lambda.Runs;

/// <summary>recon-find-unfinished output: runs between reduce and index, oldest first, whose stateful execution may need starting.</summary>
internal sealed record UnfinishedRuns
{
    public IReadOnlyList<string> Runs { get; init; } = [];
}
