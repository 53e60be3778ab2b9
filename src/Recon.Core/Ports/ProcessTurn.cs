namespace Recon.Core.Ports;

/// <summary>The process turn handed to a run: its id and the workflow callback token its process step waits with.</summary>
public sealed record ProcessTurn(string RunId, string TaskToken);
