namespace Recon.Core.Ports;

/// <summary>The last stage of a run whose output is durable. Stages complete strictly in this order.</summary>
public enum RunStage
{
    Failed = -1,
    Planned = 0,
    Reduced = 1,
    Prefetched = 2,
    Processed = 3,
    Indexed = 4,
}
