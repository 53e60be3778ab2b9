namespace Recon.Lambda.Steps;

/// <summary>The input of a step that takes none (<c>{}</c>).</summary>
internal sealed record EmptyRequest;
