using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Recon.Api.Web;

namespace Recon.Api.Pages.Runs;

/// <summary>A run's timeline: its stages and their steps with retries and durations, and errors with their cause (<c>/api/runs/{id}</c>).</summary>
public sealed class ShowModel : ReconPageModel
{
    public string Id { get; private set; } = "";

    internal RunDetailDoc? Run { get; private set; }

    internal RunTimeline? Timeline { get; private set; }

    public DateTimeOffset Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        Id = id;
        Now = (HttpContext.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        var run = await Api.GetAsync<RunDetailDoc>("/api/runs/" + PageIds.Escape(Id), ct);
        if (!run.Ok)
        {
            return await FailAsync(run);
        }

        Run = run.Value;
        Timeline = RunTimeline.Build(Run!.Executions ?? [], Now);
        return Page();
    }
}
