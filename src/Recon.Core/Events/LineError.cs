namespace Recon.Core.Events;

/// <summary>Why a line was rejected: a stable <see cref="Reason"/> code and a detail naming the field.</summary>
public readonly record struct LineError(string Reason, string Detail)
{
    public override string ToString() => $"{Reason}: {Detail}";
}
