using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Recon.Api.Web;
using Recon.Core;

namespace Recon.Api.Pages.Artifacts;

/// <summary>
/// One artifact as of now or as of a time: status, balances, totals, its lines (paged, sortable) and its versions.
/// Reads <c>GET /api/artifacts/{id}</c> (with <c>asOf</c> and <c>lines=offset:limit</c>) and <c>/versions</c>.
/// </summary>
public sealed class ShowModel : ReconPageModel
{
    /// <summary>Up to this many lines an artifact is sorted across all its lines; above, within the page shown.</summary>
    internal const int SortAcrossLimit = 50_000;

    internal static readonly string[] SortColumns = ["position", "event_id", "type", "amount", "currency", "occurred_at", "batch_id"];

    public string Id { get; private set; } = "";

    [BindProperty(SupportsGet = true, Name = "asOf")]
    public string? AsOf { get; set; }

    [BindProperty(SupportsGet = true)]
    public string Sort { get; set; } = "position";

    [BindProperty(SupportsGet = true)]
    public string Dir { get; set; } = "asc";

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    [BindProperty(SupportsGet = true)]
    public int Size { get; set; } = 100;

    internal ArtifactDoc? Artifact { get; private set; }

    internal List<(int Position, LineDoc Line)> Lines { get; } = [];

    internal List<VersionDoc> Versions { get; private set; } = [];

    public int Total { get; private set; }

    public int PageCount => Math.Max(1, (Total + Size - 1) / Size);

    public bool SortedWithinPageOnly { get; private set; }

    public string? AsOfProblem { get; private set; }

    /// <summary>A correction batch just submitted from <c>/corrections/new</c>: the page says whether it is applied yet.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Batch { get; set; }

    /// <summary>Lines of <see cref="Batch"/> in the version shown; null when the artifact is too large to look.</summary>
    public int? BatchLines { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        Id = id;
        Size = Math.Clamp(Size, 10, 1000);
        PageNumber = Math.Max(1, PageNumber);
        if (!SortColumns.Contains(Sort))
        {
            Sort = "position";
        }

        Dir = Dir == "desc" ? "desc" : "asc";
        string query = "";
        if (!string.IsNullOrWhiteSpace(AsOf))
        {
            if (ParseAsOf(AsOf) is not { } at)
            {
                AsOfProblem = $"'{AsOf}' is not a time: use ISO 8601, e.g. 2026-11-21T10:00:00Z (a time without a zone is read as UTC).";
                AsOf = null;
            }
            else
            {
                AsOf = AsOf.Trim();
                query = "asOf=" + Uri.EscapeDataString(IsoTime.Format(at)) + "&";
            }
        }

        string path = "/api/artifacts/" + PageIds.Escape(Id);
        int offset = (PageNumber - 1) * Size;
        var first = await Api.GetAsync<ArtifactDoc>($"{path}?{query}lines={offset}:{Size}", ct);
        if (!first.Ok)
        {
            return await FailAsync(first);
        }

        Artifact = first.Value!;
        Total = Artifact.LinesPage?.Total ?? (int)Artifact.LineCount;
        if (Sort == "position")
        {
            for (int i = 0; i < Artifact.Lines.Count; i++)
            {
                Lines.Add((offset + i + 1, Artifact.Lines[i]));
            }
        }
        else
        {
            List<(int, LineDoc)> all;
            if (Total <= SortAcrossLimit && Total > Artifact.Lines.Count)
            {
                var whole = await Api.GetAsync<ArtifactDoc>($"{path}?{query.TrimEnd('&')}", ct);
                if (!whole.Ok)
                {
                    return await FailAsync(whole);
                }

                all = whole.Value!.Lines.Select((l, i) => (i + 1, l)).ToList();
                Lines.AddRange(Order(all).Skip(offset).Take(Size));
            }
            else
            {
                SortedWithinPageOnly = Total > Artifact.Lines.Count;
                all = Artifact.Lines.Select((l, i) => (offset + i + 1, l)).ToList();
                Lines.AddRange(Order(all));
            }
        }

        if (!string.IsNullOrEmpty(Batch) && AsOf is null)
        {
            if (Total <= Artifact.Lines.Count)
            {
                BatchLines = Artifact.Lines.Count(l => l.BatchId == Batch);
            }
            else if (Total <= SortAcrossLimit)
            {
                var whole = await Api.GetAsync<ArtifactDoc>(path, ct);
                if (!whole.Ok)
                {
                    return await FailAsync(whole);
                }

                BatchLines = whole.Value!.Lines.Count(l => l.BatchId == Batch);
            }
        }

        var versions = await Api.GetAsync<List<VersionDoc>>(path + "/versions", ct);
        if (!versions.Ok)
        {
            return await FailAsync(versions);
        }

        Versions = versions.Value!;
        return Page();
    }

    /// <summary>The link to this page with some of its parameters changed.</summary>
    public string Link(string? sort = null, string? dir = null, int? page = null, string? asOf = "")
    {
        var parts = new List<string>();
        string? at = asOf == "" ? AsOf : asOf;
        if (!string.IsNullOrEmpty(at))
        {
            parts.Add("asOf=" + Uri.EscapeDataString(at));
        }

        string s = sort ?? Sort;
        if (s != "position")
        {
            parts.Add("sort=" + s);
            parts.Add("dir=" + (dir ?? Dir));
        }

        int p = page ?? PageNumber;
        if (p != 1)
        {
            parts.Add("p=" + p.ToString(CultureInfo.InvariantCulture));
        }

        if (Size != 100)
        {
            parts.Add("size=" + Size.ToString(CultureInfo.InvariantCulture));
        }

        return PageIds.ArtifactHref(Id) + (parts.Count > 0 ? "?" + string.Join('&', parts) : "");
    }

    public string SortLink(string column) => Link(column, Sort == column && Dir == "asc" ? "desc" : "asc", 1);

    public string? AriaSort(string column) => Sort == column ? (Dir == "asc" ? "ascending" : "descending") : null;

    /// <summary>
    /// A time from the picker: ISO 8601 with an offset, or the picker's zone-less local form read as UTC. It is read to
    /// the end of the precision written — "10:00:05Z" is the whole of that second, "10:00:05.250Z" the whole of that
    /// millisecond, "10:00" the whole minute — because the pages show times to the second or millisecond: a time copied
    /// from a page selects the version the page showed at that time.
    /// </summary>
    internal static DateTimeOffset? ParseAsOf(string text) =>
        ParseTime(text) is { } at ? at.AddTicks(PrecisionTicks(text.Trim()) - 1) : null;

    /// <summary>The instant written (its start): ISO 8601 with an offset, or the picker's zone-less form read as UTC.</summary>
    internal static DateTimeOffset? ParseTime(string text)
    {
        text = text.Trim();
        if (IsoTime.TryParse(text, out var t))
        {
            return t;
        }

        return DateTime.TryParseExact(text, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var utc)
            ? new DateTimeOffset(utc, TimeSpan.Zero)
            : null;
    }

    /// <summary>The length of the last unit written: a minute, a second, or 10^(7 − digits) ticks of a fraction.</summary>
    private static long PrecisionTicks(string text)
    {
        if (text.Length < 19 || text[16] != ':')
        {
            return TimeSpan.TicksPerMinute;
        }

        int digits = 0;
        if (text.Length > 19 && text[19] == '.')
        {
            while (20 + digits < text.Length && char.IsAsciiDigit(text[20 + digits]))
            {
                digits++;
            }
        }

        long ticks = TimeSpan.TicksPerSecond;
        for (int i = 0; i < Math.Min(digits, 7); i++)
        {
            ticks /= 10;
        }

        return ticks;
    }

    private IEnumerable<(int Position, LineDoc Line)> Order(List<(int Position, LineDoc Line)> lines)
    {
        Func<(int Position, LineDoc Line), object?> key = Sort switch
        {
            "event_id" => x => x.Line.EventId,
            "type" => x => x.Line.Type,
            "amount" => x => x.Line.Amount,
            "currency" => x => x.Line.Currency,
            "occurred_at" => x => x.Line.OccurredAt,
            "batch_id" => x => x.Line.BatchId,
            _ => x => x.Position,
        };
        var comparer = Comparer<object?>.Create((a, b) => a is string sa && b is string sb ? string.CompareOrdinal(sa, sb) : Comparer<object?>.Default.Compare(a, b));
        var ordered = Dir == "desc" ? lines.OrderByDescending(key, comparer) : lines.OrderBy(key, comparer);
        return ordered.ThenBy(x => x.Position);
    }
}
