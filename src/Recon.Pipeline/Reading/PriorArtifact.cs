using Recon.Core.Artifacts;

namespace Recon.Pipeline.Reading;

/// <summary>
/// An artifact's latest version as process needs it: the summary (format 2: no lines loaded, the chain covering all
/// of them) or, for a format 1 record, the whole artifact with its lines and an empty chain.
/// <see cref="Record"/> is the whole verified record when it was read whole, so its own segment needs no second read.
/// </summary>
internal sealed record PriorArtifact(ArtifactState State, IReadOnlyList<ArtifactSegment> Chain, string File, long RecordOffset, byte[]? Record)
{
    /// <summary>A section of the whole record read by pre-fetch, when <paramref name="offset"/> lies in it; else null.</summary>
    public ReadOnlyMemory<byte>? LocalSection(string file, long offset, int length)
    {
        // Spelled out: a conditional of Memory<byte> and null would turn null into an empty Memory.
        if (Record is null || file != File || offset < RecordOffset || offset + length > RecordOffset + Record.Length)
        {
            return null;
        }

        return new ReadOnlyMemory<byte>(Record, (int)(offset - RecordOffset), length);
    }
}
