namespace Recon.Lambda.Index;

internal sealed record IndexWorkerResponse
{
    public required long Rows { get; init; }
}
