using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Recon.Api.Web;

namespace Recon.Api.Pages.Corrections;

/// <summary>
/// A correction for one artifact: lines typed into the form, pasted as JSON Lines or uploaded as .jsonl/.csv. "Check"
/// validates every line (the ingest's own rules) and shows the problems; "Submit" sends the checked lines as one batch
/// through <c>POST /api/batches</c>, which goes through the same validation, dedupe and ledger as every batch.
/// </summary>
public sealed class NewModel : ReconPageModel
{
    public const int FormRows = 5;
    public const string Source = "corrections";

    [BindProperty(SupportsGet = true, Name = "artifact")]
    public string? ArtifactId { get; set; }

    [BindProperty]
    public List<RowInput> Rows { get; set; } = [];

    [BindProperty]
    public string? Pasted { get; set; }

    [BindProperty]
    public IFormFile? Upload { get; set; }

    /// <summary>The checked lines as JSON Lines, carried from Check to Submit so exactly those are sent.</summary>
    [BindProperty]
    public string? Checked { get; set; }

    internal CorrectionDraft? Draft { get; private set; }

    public string? SubmittedBatch { get; private set; }

    public string? SubmitProblem { get; private set; }

    public void OnGet()
    {
        EnsureRows();
    }

    public async Task<IActionResult> OnPostCheckAsync(CancellationToken ct)
    {
        EnsureRows();
        var draft = await NewDraftAsync(ct);
        if (draft is null)
        {
            return Page();
        }

        for (int i = 0; i < Rows.Count; i++)
        {
            var r = Rows[i];
            draft.AddRow(i + 1, r.EventId, r.Type, r.Amount, r.Currency, r.OccurredAt, r.Reverses);
        }

        if (!string.IsNullOrWhiteSpace(Pasted))
        {
            draft.AddJsonLines("pasted text", Pasted);
        }

        if (Upload is { Length: > 0 } file)
        {
            string name = Path.GetFileName(file.FileName);
            await using var stream = file.OpenReadStream();
            if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            {
                draft.AddCsv(name, stream);
            }
            else if (name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                using var reader = new StreamReader(stream, Encoding.UTF8);
                draft.AddJsonLines(name, await reader.ReadToEndAsync(ct));
            }
            else
            {
                draft.Problems.Add($"'{name}' is neither .jsonl nor .csv: upload JSON Lines (one event per line) or CSV with a header row.");
            }
        }

        if (draft.Lines.Count == 0 && draft.Problems.Count == 0)
        {
            draft.Problems.Add("Enter at least one line, paste JSON Lines or upload a file.");
        }

        Draft = draft;
        Checked = draft.IsValid ? string.Join('\n', draft.Lines.Select(l => l.Json)) : null;
        return Page();
    }

    public async Task<IActionResult> OnPostSubmitAsync(CancellationToken ct)
    {
        EnsureRows();
        var draft = await NewDraftAsync(ct);
        if (draft is null)
        {
            return Page();
        }

        draft.AddJsonLines("checked lines", Checked ?? "");
        Draft = draft;
        if (!draft.IsValid)
        {
            draft.Problems.Add("Check the lines again before submitting.");
            return Page();
        }

        var now = (HttpContext.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        string batchId = "corr-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture) + "-" +
            Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        string window = Recon.Core.IsoTime.Format(now);
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["batch_id"] = batchId,
            ["source"] = Source,
            ["window_start"] = window,
            ["window_end"] = window,
            ["events"] = draft.Events(),
        };
        var result = await Api.PostJsonAsync("/api/batches", body, ct);
        if (result.Status == StatusCodes.Status401Unauthorized)
        {
            return await FailAsync(result);
        }

        if (result.Status is >= 200 and < 300)
        {
            SubmittedBatch = batchId;
            Checked = null;
            return Redirect($"{PageIds.ArtifactHref(draft.ArtifactId)}?batch={Uri.EscapeDataString(batchId)}");
        }

        SubmitProblem = result.Problem;
        Response.StatusCode = result.Status;
        return Page();
    }

    /// <summary>A draft for the artifact named in the form; the artifact must exist and be readable by this user.</summary>
    private async Task<CorrectionDraft?> NewDraftAsync(CancellationToken ct)
    {
        string id = ArtifactId?.Trim() ?? "";
        if (id.Length == 0)
        {
            SubmitProblem = "Name the artifact the correction is for.";
            return null;
        }

        var artifact = await Api.GetAsync<JsonElement>($"/api/artifacts/{PageIds.Escape(id)}?lines=0:1", ct);
        if (!artifact.Ok)
        {
            SubmitProblem = artifact.Problem;
            return null;
        }

        string entity = artifact.Value.GetProperty("entity").GetString() ?? "";
        return new CorrectionDraft(id, entity);
    }

    private void EnsureRows()
    {
        while (Rows.Count < FormRows)
        {
            Rows.Add(new RowInput());
        }
    }

    /// <summary>One row of the form.</summary>
    public sealed class RowInput
    {
        public string? EventId { get; set; }

        public string? Type { get; set; }

        public string? Amount { get; set; }

        public string? Currency { get; set; }

        public string? OccurredAt { get; set; }

        public string? Reverses { get; set; }
    }
}
