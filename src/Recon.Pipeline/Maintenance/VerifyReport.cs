namespace Recon.Pipeline.Maintenance;

public sealed record VerifyReport(long IndexRows, long PartFiles, long FooterEntries, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;
}
