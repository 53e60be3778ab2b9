namespace Recon.Pipeline.Running;

public sealed class NoFaults : IFaultInjector
{
    public static NoFaults Instance { get; } = new();

    public void At(string point)
    {
    }
}
