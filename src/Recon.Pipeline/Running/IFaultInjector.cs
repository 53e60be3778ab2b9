namespace Recon.Pipeline.Running;

/// <summary>Lets tests crash the pipeline at a named point (see <see cref="FaultPoints"/>), as a killed process would.</summary>
public interface IFaultInjector
{
    void At(string point);
}
