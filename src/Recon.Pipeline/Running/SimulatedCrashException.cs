namespace Recon.Pipeline.Running;

/// <summary>Thrown by a fault injector to stand for the process dying at that point: nothing catches it.</summary>
public sealed class SimulatedCrashException(string point) : Exception($"simulated crash at {point}")
{
    public string Point { get; } = point;
}
