namespace Recon.Core.Ports;

/// <summary>A stage turn (pre-fetch or process) handed to a run: its id and the workflow callback token it waits with.</summary>
public sealed record RunTurn(string RunId, string TaskToken);
