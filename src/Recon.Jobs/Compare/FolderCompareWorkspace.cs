namespace Recon.Jobs.Compare;

/// <summary>The steps share one local work folder: nothing is copied, nothing is removed between steps.</summary>
internal sealed class FolderCompareWorkspace : CompareWorkspace
{
    internal override ValueTask<string> PullAsync(string work, string step, IReadOnlyList<string> parts, CancellationToken ct) =>
        ValueTask.FromResult(Path.GetFullPath(work));

    internal override ValueTask PushAsync(string work, string local, IReadOnlyList<string> parts, CancellationToken ct) => ValueTask.CompletedTask;

    internal override void Release(string local)
    {
    }

    internal override string Location(string work, string part) => Path.Combine(Path.GetFullPath(work), part.TrimEnd('/'));

    internal override bool WritesSpecReportFolder => true;

    internal override bool ReadsLocalFiles => true;
}
