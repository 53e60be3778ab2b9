namespace Recon.Pipeline.Running;

/// <summary>Progress of one stage of one run: <see cref="Done"/> out of <see cref="Total"/> (0 when unknown).</summary>
public readonly record struct StageProgress(string Stage, string RunId, long Done, long Total);
