namespace Recon.Jobs.Transform;

/// <summary>What a transform wrote.</summary>
public sealed record TransformResult(string OutputPath, long Rows, IReadOnlyList<string> Columns, double Seconds);
