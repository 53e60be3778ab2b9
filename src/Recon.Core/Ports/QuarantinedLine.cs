namespace Recon.Core.Ports;

/// <summary>A line that was not applied, with where it came from and why. <see cref="Raw"/> is the line as received.</summary>
public sealed record QuarantinedLine(string BatchId, string File, long Line, string Reason, string Detail, string Raw);
