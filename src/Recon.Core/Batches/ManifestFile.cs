namespace Recon.Core.Batches;

public sealed record ManifestFile(string Name, long Records);
