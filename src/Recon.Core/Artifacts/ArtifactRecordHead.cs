namespace Recon.Core.Artifacts;

/// <summary>
/// The decoded head of a segmented (format 2) record: the artifact's summary (no lines), the earlier segments of its
/// chain in line order, and where this record's own segment lies within the record's payload.
/// </summary>
public sealed class ArtifactRecordHead
{
    public required ArtifactState Summary { get; init; }

    public required IReadOnlyList<ArtifactSegment> Chain { get; init; }

    public required long OwnFirstLine { get; init; }

    public required long OwnLineCount { get; init; }

    public required int OwnLevel { get; init; }

    /// <summary>Bytes of the payload up to the end of the head (tag, lengths, head).</summary>
    public required int HeadLength { get; init; }

    public required int LinesLength { get; init; }

    public required uint LinesCrc { get; init; }

    public required int IdsLength { get; init; }

    public required uint IdsCrc { get; init; }

    /// <summary>This record's own segment as a chain link, given where the record lies.</summary>
    public ArtifactSegment OwnAt(string file, long recordOffset)
    {
        long payload = recordOffset + PartFiles.PartFileFormat.RecordHeaderSize;
        return new ArtifactSegment(file, OwnFirstLine, OwnLineCount, OwnLevel,
            payload + HeadLength, LinesLength, LinesCrc,
            payload + HeadLength + LinesLength, IdsLength, IdsCrc);
    }

    /// <summary>Every segment holding this version's lines, in line order: the chain, then its own.</summary>
    public IReadOnlyList<ArtifactSegment> AllSegments(string file, long recordOffset)
    {
        var all = new List<ArtifactSegment>(Chain.Count + 1);
        all.AddRange(Chain);
        if (OwnLineCount > 0)
        {
            all.Add(OwnAt(file, recordOffset));
        }

        return all;
    }
}
