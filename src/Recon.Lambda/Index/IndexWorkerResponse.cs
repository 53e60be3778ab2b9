namespace Recon.Lambda.Index;

public sealed record IndexWorkerResponse
{
    public required long Rows { get; init; }
}
