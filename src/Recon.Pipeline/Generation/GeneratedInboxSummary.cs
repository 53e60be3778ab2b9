namespace Recon.Pipeline.Generation;

/// <summary>
/// What the generator wrote, with the figures a correct pipeline must reproduce: lines in = applied + duplicates
/// + quarantined, and how many artifacts end <c>balanced</c>.
/// </summary>
public sealed record GeneratedInboxSummary
{
    public required int Batches { get; init; }

    public required int Files { get; init; }

    /// <summary>Lines over all files: the sum of the manifests' <c>records</c>.</summary>
    public required long LinesWritten { get; init; }

    /// <summary>Lines a validator must quarantine for their content (bad JSON, field, amount, currency or time).</summary>
    public required long BadLines { get; init; }

    /// <summary>Exact re-sends of an already sent event: counted as duplicates, not applied.</summary>
    public required long Duplicates { get; init; }

    /// <summary>Re-used event ids with a different amount: quarantined as <c>conflicting-duplicate</c>.</summary>
    public required long ConflictingDuplicates { get; init; }

    /// <summary>Good lines that carry <c>reverses</c>.</summary>
    public required long Reversals { get; init; }

    /// <summary>Remittances that bring their artifact's balance to exactly zero.</summary>
    public required long Settlements { get; init; }

    /// <summary>Distinct artifacts with at least one applied line.</summary>
    public required int ArtifactsTouched { get; init; }

    /// <summary>Artifacts whose balance is zero after every line is applied in order: they must end <c>balanced</c>.</summary>
    public required int BalancedArtifacts { get; init; }

    /// <summary>Bytes written to disk, manifests included.</summary>
    public required long Bytes { get; init; }

    /// <summary>Lines a correct pipeline applies.</summary>
    public long ExpectedApplied => LinesWritten - BadLines - Duplicates - ConflictingDuplicates;
}
