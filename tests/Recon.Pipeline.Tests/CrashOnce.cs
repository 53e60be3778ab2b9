using Recon.Pipeline.Running;

namespace Recon.Pipeline.Tests;

/// <summary>Crashes the first time (or the n-th time) the pipeline reaches a point, like a killed process.</summary>
internal sealed class CrashOnce(string point, int onHit = 1) : IFaultInjector
{
    private int _hits;

    public bool Fired { get; private set; }

    public void At(string p)
    {
        if (p == point && Interlocked.Increment(ref _hits) == onHit)
        {
            Fired = true;
            throw new SimulatedCrashException(p);
        }
    }
}
