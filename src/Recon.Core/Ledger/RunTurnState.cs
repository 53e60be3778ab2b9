using Recon.Core.Ports;

namespace Recon.Core.Ledger;

/// <summary>What a ledger stores of a run's wait for a turn (pre-fetch or process): the callback token, and whether the turn was handed on.</summary>
public readonly record struct RunTurnState(string RunId, long Seq, RunStage Stage, string? Token, bool Claimed);
