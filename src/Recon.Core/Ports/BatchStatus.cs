namespace Recon.Core.Ports;

public enum BatchStatus
{
    Pending,
    InRun,
    Done,
    Failed,
}
