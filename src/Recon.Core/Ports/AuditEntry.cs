namespace Recon.Core.Ports;

/// <summary>One write through the API or the token commands: who, what (an action such as <c>batch.submit</c>), on what, when.</summary>
public sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string Target, string Detail);
