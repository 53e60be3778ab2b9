namespace Recon.Orchestration;

/// <summary>One message the definitions' catch path sent to the dead-letter queue: a failed run and why.</summary>
public sealed record DeadLetter(DateTimeOffset At, string Queue, string MessageId, string Body);
