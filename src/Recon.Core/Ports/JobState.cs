namespace Recon.Core.Ports;

/// <summary>Where a queued job is: waiting (maybe for a retry), running under a lease, done, or dead (gave up).</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Dead,
}
