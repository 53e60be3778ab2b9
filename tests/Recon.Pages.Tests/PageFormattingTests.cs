using Recon.Api.Web;
using Recon.Core.Ports;

namespace Recon.Pages.Tests;

/// <summary>What the pages compute without a browser: money formatting, the backlog history, correction checks.</summary>
public sealed class PageFormattingTests
{
    [Theory]
    [InlineData("12.3", "USD", "12.30")]
    [InlineData("1234567.5", "EUR", "1,234,567.50")]
    [InlineData("-100", "USD", "-100.00")]
    [InlineData("1500", "JPY", "1,500")]
    [InlineData("1.5", "KWD", "1.500")]
    [InlineData("0.125", "USD", "0.125")] // more decimals than the minor units: shown, never rounded
    [InlineData("2.50000", "USD", "2.50")]
    public void MoneyFormat_UsesTheCurrencysMinorUnits_NeverRounds(string amount, string currency, string expected) =>
        Assert.Equal(expected, Money.Format(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency));

    [Fact]
    public void Time_ShowsSecondsAndMillisecondsOnly_AndAsOfReadsToTheEndOfWhatIsShown()
    {
        // 2026-12-01T01:52:58.9227734Z, as a run writes it (100 ns ticks).
        var written = new DateTimeOffset(2026, 12, 1, 1, 52, 58, TimeSpan.Zero).AddTicks(9_227_734);
        Assert.Equal("2026-12-01T01:52:58.922Z", Display.Time(written));
        Assert.Equal("2026-11-21T10:00:05Z", Display.Time(new DateTimeOffset(2026, 11, 21, 10, 0, 5, TimeSpan.Zero)));
        Assert.Equal("2026-11-21T10:00:05.250Z", Display.Time(new DateTimeOffset(2026, 11, 21, 10, 0, 5, 250, TimeSpan.Zero)));
        Assert.Equal("—", Display.Time(null));

        // The shown time, typed back, covers the instant written; the start of the next millisecond is past it.
        var asOf = Recon.Api.Pages.Artifacts.ShowModel.ParseAsOf(Display.Time(written))!.Value;
        Assert.True(asOf >= written);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 1, 52, 58, 923, TimeSpan.Zero).AddTicks(-1), asOf);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 6, TimeSpan.Zero).AddTicks(-1),
            Recon.Api.Pages.Artifacts.ShowModel.ParseAsOf("2026-11-21T10:00:05Z"));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 1, 0, TimeSpan.Zero).AddTicks(-1),
            Recon.Api.Pages.Artifacts.ShowModel.ParseAsOf("2026-11-21T10:00"));
        // A full-precision time is exact, and a filter's "since" is the instant written, not the end of it.
        Assert.Equal(written, Recon.Api.Pages.Artifacts.ShowModel.ParseAsOf("2026-12-01T01:52:58.9227734Z"));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 5, TimeSpan.Zero), Recon.Api.Pages.Artifacts.ShowModel.ParseTime("2026-11-21T10:00:05Z"));
    }

    [Fact]
    public void BacklogHistory_CountsABatchWaitingFromDiscoveryToCompletion_AndItsEventsAppliedWhenDone()
    {
        var t0 = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
        BatchRecord Batch(string id, int discoveredMin, int? completedMin, BatchStatus status, long declared, long applied) => new()
        {
            BatchId = id, Source = "s", Location = "s/" + id, WindowStart = t0, WindowEnd = t0, DeclaredRecords = declared,
            DiscoveredAt = t0.AddMinutes(discoveredMin), CompletedAt = completedMin is { } c ? t0.AddMinutes(c) : null,
            Status = status, Applied = applied,
        };
        var batches = new[]
        {
            Batch("a", 10, 70, BatchStatus.Done, 100, 90),        // waits through hour 0, applied in hour 1
            Batch("b", 30, null, BatchStatus.Pending, 7, 0),      // still waiting
            Batch("c", 20, 50, BatchStatus.Failed, 5, 0),         // failed in hour 0: nothing applied
            Batch("d", 130, null, BatchStatus.Failed, 3, 0),      // failed without a time: never waiting
        };

        var points = BacklogHistory.Compute(batches, t0, t0.AddHours(3), TimeSpan.FromHours(1));

        Assert.Equal(3, points.Count);
        Assert.Equal((2L, 107L, 0L, 1L), (points[0].PendingBatches, points[0].PendingEvents, points[0].AppliedEvents, points[0].CompletedBatches));
        Assert.Equal((1L, 7L, 90L, 1L), (points[1].PendingBatches, points[1].PendingEvents, points[1].AppliedEvents, points[1].CompletedBatches));
        Assert.Equal((1L, 7L, 0L), (points[2].PendingBatches, points[2].PendingEvents, points[2].AppliedEvents));
    }

    [Fact]
    public void CorrectionDraft_ChecksEachLineWithTheIngestRules_AndTheArtifactAndEntity()
    {
        var draft = new CorrectionDraft("ACC-1", "US01");
        draft.AddRow(1, "c1", "correction", "-4.50", "EUR", "2026-11-21T11:00:00Z", null);
        draft.AddRow(2, "c2", "correction", "12,5", "EUR", "2026-11-21T11:00:00Z", null);
        draft.AddRow(3, "", "", "", "", "", ""); // an empty row is not a line
        draft.AddJsonLines("pasted", """
            {"event_id":"c3","artifact_id":"ACC-2","entity":"US01","type":"correction","amount":"1","currency":"EUR","occurred_at":"2026-11-21T11:00:00Z"}
            {"event_id":"c1","artifact_id":"ACC-1","entity":"US01","type":"correction","amount":"1","currency":"EUR","occurred_at":"2026-11-21T11:00:00Z"}
            {"event_id":"c4","artifact_id":"ACC-1","entity":"DE01","type":"correction","amount":"1","currency":"EUR","occurred_at":"2026-11-21T11:00:00Z"}
            """);

        Assert.Equal(5, draft.Lines.Count);
        Assert.Null(draft.Lines[0].Problem);
        Assert.StartsWith("invalid-amount", draft.Lines[1].Problem, StringComparison.Ordinal);
        Assert.Contains("'ACC-2'", draft.Lines[2].Problem, StringComparison.Ordinal);
        Assert.Contains("appears twice", draft.Lines[3].Problem, StringComparison.Ordinal);
        Assert.Contains("'DE01'", draft.Lines[4].Problem, StringComparison.Ordinal);
        Assert.False(draft.IsValid);
    }

    [Fact]
    public void CorrectionDraft_ReadsCsvWithTheInboxHeader_FillingArtifactAndEntity()
    {
        var draft = new CorrectionDraft("ACC-1", "US01");
        using var csv = new MemoryStream("event_id,type,amount,currency,occurred_at\nc1,correction,-1.25,USD,2026-11-21T11:00:00Z\nc2,correction,2\n"u8.ToArray());
        draft.AddCsv("fix.csv", csv);

        Assert.Equal(2, draft.Lines.Count);
        Assert.Null(draft.Lines[0].Problem);
        Assert.Contains("\"artifact_id\":\"ACC-1\"", draft.Lines[0].Json, StringComparison.Ordinal);
        Assert.Contains("\"amount\":\"-1.25\"", draft.Lines[0].Json, StringComparison.Ordinal); // the amount's text is kept
        Assert.StartsWith("invalid-csv-row", draft.Lines[1].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void RunTimeline_OfAFailedExecution_NestsStatesCountsRetriesAndKeepsTheFailuresCause()
    {
        var t0 = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        HistoryEventDoc E(long id, int ms, string type, string? state, string? error = null, string? cause = null) =>
            new(id, t0.AddMilliseconds(ms), type, state, null, error, cause);
        var execution = new ExecutionDoc("r-1-stateful", "stateful", "Failed", t0, t0.AddSeconds(3), "Recon.Transient", "disk", [
            E(1, 0, "StateEntered", "BeginPrefetch"), E(2, 100, "StateExited", "BeginPrefetch"),
            E(3, 100, "StateEntered", "ProcessPartitions"),
            E(4, 110, "StateEntered", "ProcessPartition"), E(5, 200, "TaskFailed", "ProcessPartition", "Recon.Transient", "timeout"),
            E(6, 200, "TaskRetried", "ProcessPartition"), E(7, 900, "StateExited", "ProcessPartition"),
            E(8, 1000, "StateFailed", "ProcessPartitions", "Recon.Transient", "disk full"),
        ]);

        var timeline = RunTimeline.Build([execution], t0.AddSeconds(5));

        Assert.Equal(["BeginPrefetch", "ProcessPartitions", "ProcessPartition"], timeline.Spans.Select(s => s.Name));
        Assert.Equal([0, 0, 1], timeline.Spans.Select(s => s.Depth));
        Assert.Equal(1, timeline.Spans[2].Retries);
        Assert.False(timeline.Spans[2].Failed);
        Assert.True(timeline.Spans[1].Failed);
        Assert.Equal("disk full", timeline.Spans[1].Cause);
        var (left, width) = timeline.Place(timeline.Spans[1], t0.AddSeconds(5));
        Assert.Equal(10.0, left, 3);
        Assert.Equal(90.0, width, 3);
    }
}
