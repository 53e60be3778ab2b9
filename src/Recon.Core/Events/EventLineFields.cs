namespace Recon.Core.Events;

/// <summary>
/// A valid event line's fields as the UTF-8 bytes of the line itself (no strings): what
/// <see cref="EventLineScanner.TryScan"/> read. Each span holds exactly the UTF-8 of the string
/// <see cref="EventParser.TryParseLine"/> would give for the same line.
/// </summary>
public ref struct EventLineFields
{
    public ReadOnlySpan<byte> EventId;
    public ReadOnlySpan<byte> ArtifactId;
    public ReadOnlySpan<byte> Entity;
    public ReadOnlySpan<byte> Type;
    public ReadOnlySpan<byte> Currency;

    /// <summary>The reversed event id; only meaningful when <see cref="HasReverses"/>.</summary>
    public ReadOnlySpan<byte> Reverses;

    public bool HasReverses;

    /// <summary>The raw attributes object (braces included); only meaningful when <see cref="HasAttributes"/>.</summary>
    public ReadOnlySpan<byte> Attributes;

    public bool HasAttributes;
    public decimal Amount;
    public DateTimeOffset OccurredAt;
}
