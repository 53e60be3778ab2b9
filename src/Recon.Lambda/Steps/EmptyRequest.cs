namespace Recon.Lambda.Steps;

/// <summary>The input of a step that takes none (<c>{}</c>).</summary>
public sealed record EmptyRequest;
