using System.Text;
using Microsoft.AspNetCore.Mvc;
using Recon.Api.Web;

namespace Recon.Api.Pages.Batches;

/// <summary>
/// One batch: its counts (lines = applied + duplicates + quarantined), window and run, its quarantined lines with
/// reasons (downloadable as JSON or CSV), and Retry when it failed. Reads <c>/api/batches/{id}</c> and its
/// <c>/quarantine</c>; Retry posts <c>/api/batches/{id}/retry</c>.
/// </summary>
public sealed class ShowModel : ReconPageModel
{
    public string Id { get; private set; } = "";

    [BindProperty(SupportsGet = true)]
    public bool Retried { get; set; }

    internal BatchDoc? Batch { get; private set; }

    internal List<QuarantinedLineDoc> Quarantine { get; private set; } = [];

    public string? RetryProblem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        Id = id;
        return await LoadAsync(ct) ?? Page();
    }

    public async Task<IActionResult> OnGetDownloadAsync(string id, string format, CancellationToken ct)
    {
        Id = id;
        var lines = await Api.GetAsync<List<QuarantinedLineDoc>>(QuarantinePath, ct);
        if (!lines.Ok)
        {
            return await FailAsync(lines);
        }

        string name = "quarantine-" + new string(Id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        if (format == "csv")
        {
            return File(Encoding.UTF8.GetBytes(Csv(lines.Value!)), "text/csv; charset=utf-8", name + ".csv");
        }

        var raw = await Api.GetBytesAsync(QuarantinePath, ct);
        return raw.Ok ? File(raw.Value!, "application/json; charset=utf-8", name + ".json") : await FailAsync(raw);
    }

    public async Task<IActionResult> OnPostRetryAsync(string id, CancellationToken ct)
    {
        Id = id;
        var result = await Api.PostAsync($"/api/batches/{PageIds.Escape(Id)}/retry", ct);
        if (result.Status is >= 200 and < 300)
        {
            return Redirect($"/batches/{PageIds.Escape(Id)}?retried=true");
        }

        if (result.Status == StatusCodes.Status401Unauthorized)
        {
            return await FailAsync(result);
        }

        RetryProblem = result.Problem ?? $"the API answered {result.Status}";
        Response.StatusCode = result.Status;
        return await LoadAsync(ct) ?? Page();
    }

    private string QuarantinePath => $"/api/batches/{PageIds.Escape(Id)}/quarantine";

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        var batch = await Api.GetAsync<BatchDoc>("/api/batches/" + PageIds.Escape(Id), ct);
        if (!batch.Ok)
        {
            return await FailAsync(batch);
        }

        Batch = batch.Value;
        if (Batch!.Quarantined > 0)
        {
            var lines = await Api.GetAsync<List<QuarantinedLineDoc>>(QuarantinePath, ct);
            if (!lines.Ok)
            {
                return await FailAsync(lines);
            }

            Quarantine = lines.Value!;
        }

        return null;
    }

    /// <summary>RFC 4180 CSV; a cell that a spreadsheet would run as a formula is prefixed with a quote.</summary>
    internal static string Csv(IEnumerable<QuarantinedLineDoc> lines)
    {
        var sb = new StringBuilder("batch_id,file,line,reason,detail,raw\r\n");
        foreach (var q in lines)
        {
            sb.Append(Cell(q.BatchId)).Append(',').Append(Cell(q.File)).Append(',').Append(q.Line).Append(',')
                .Append(Cell(q.Reason)).Append(',').Append(Cell(q.Detail)).Append(',').Append(Cell(q.Raw ?? "")).Append("\r\n");
        }

        return sb.ToString();
    }

    private static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
