namespace Recon.Pipeline.Planning;

/// <summary>A source is complete through <see cref="CompleteThrough"/>: every batch of it up to that window end is applied.</summary>
public sealed record SourceWatermark(string Source, DateTimeOffset? CompleteThrough, int Waiting, int Failed);
