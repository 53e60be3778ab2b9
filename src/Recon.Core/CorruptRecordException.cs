namespace Recon.Core;

/// <summary>A part-file record failed its length, CRC or identity check; <see cref="ReconException.File"/> and <see cref="ReconException.Offset"/> say where.</summary>
public sealed class CorruptRecordException : ReconException
{
    public CorruptRecordException(string file, long offset, string? artifactId, string detail)
        : base(ReconErrors.CorruptRecordMessage(file, offset, artifactId, detail))
    {
        File = file;
        Offset = offset;
        ArtifactId = artifactId;
        Action = ReconErrors.RestorePartFile;
    }
}
