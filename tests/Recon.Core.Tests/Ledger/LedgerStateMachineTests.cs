using Recon.Core.Ledger;
using Recon.Core.Ports;

namespace Recon.Core.Tests.Ledger;

public sealed class LedgerStateMachineTests
{
    [Theory]
    [InlineData(1L, "r-000001")]
    [InlineData(42L, "r-000042")]
    [InlineData(1234567L, "r-1234567")]
    public void RunIds_OfASeq_RoundTripsThroughTryParse(long seq, string expected)
    {
        Assert.Equal(expected, RunIds.Of(seq));
        Assert.True(RunIds.TryParse(expected, out long parsed));
        Assert.Equal(seq, parsed);
    }

    [Theory]
    [InlineData("r-42")]
    [InlineData("r-0000042")]
    [InlineData("r-000000")]
    [InlineData("x-000042")]
    [InlineData("r--00042")]
    [InlineData("")]
    public void RunIds_TryParse_RefusesWhatNoRunIdCanBe(string text) => Assert.False(RunIds.TryParse(text, out _));

    [Fact]
    public void BatchStatusNames_EveryStatus_ParsesBackFromItsName()
    {
        foreach (var status in Enum.GetValues<BatchStatus>())
        {
            Assert.True(BatchStatusNames.TryParse(BatchStatusNames.Of(status), out var parsed));
            Assert.Equal(status, parsed);
        }

        Assert.Equal("in_run", BatchStatusNames.Of(BatchStatus.InRun));
        Assert.Equal("in a run", BatchStatusNames.Describe(BatchStatus.InRun));
        Assert.False(BatchStatusNames.TryParse("in a run", out _));
    }

    [Fact]
    public void Transitions_InStageOrder_ChainFromPlannedToIndexed()
    {
        RunTransition[] steps = [RunTransition.Reduce, RunTransition.Prefetch, RunTransition.Process, RunTransition.Index];
        Assert.Equal(RunStage.Planned, steps[0].From);
        for (int i = 1; i < steps.Length; i++)
        {
            Assert.Equal(steps[i - 1].To, steps[i].From);
        }

        Assert.Equal(RunStage.Indexed, steps[^1].To);
        Assert.Equal(["reduce", "prefetch", "process", "index"], steps.Select(s => s.StageName));
    }

    [Theory]
    [InlineData(RunStage.Planned, false, BatchStatus.InRun)]
    [InlineData(RunStage.Processed, false, BatchStatus.InRun)]
    [InlineData(RunStage.Indexed, false, BatchStatus.Done)]
    [InlineData(RunStage.Failed, false, BatchStatus.Failed)]
    [InlineData(RunStage.Indexed, true, BatchStatus.Failed)]
    [InlineData(RunStage.Reduced, true, BatchStatus.Failed)]
    public void BatchStatusInRun_ForEachRunStage_FollowsTheRunUnlessReduceRejectedTheBatch(RunStage stage, bool rejected, BatchStatus expected) =>
        Assert.Equal(expected, LedgerStateMachine.BatchStatusInRun(stage, rejected));

    [Theory]
    [InlineData(RunStage.Reduced, -1L, 5L, 5L)]
    [InlineData(RunStage.Reduced, 7L, 5L, 5L)]
    [InlineData(RunStage.Reduced, 3L, 5L, null)]
    [InlineData(RunStage.Reduced, 5L, 5L, null)]
    [InlineData(RunStage.Prefetched, -1L, 5L, null)]
    public void PrefetchIndexedThrough_ForARecordedAndAProposedMark_KeepsTheLowestMarkWhileReduced(RunStage stage, long recorded, long proposed, long? expected) =>
        Assert.Equal(expected, LedgerStateMachine.PrefetchIndexedThrough(stage, recorded, proposed));

    [Fact]
    public void IndexedThrough_WithAnUnsettledRunAmongSettledOnes_StopsBeforeTheFirstUnsettledRun()
    {
        (long, RunStage)[] runs = [(1, RunStage.Indexed), (2, RunStage.Failed), (3, RunStage.Processed), (4, RunStage.Indexed)];
        long? first = LedgerStateMachine.FirstSeq(runs, s => !LedgerStateMachine.IsSettled(s));

        Assert.Equal(2, LedgerStateMachine.IndexedThrough(first, 4));
        Assert.Equal(4, LedgerStateMachine.IndexedThrough(null, 4));
        Assert.Equal(0, LedgerStateMachine.IndexedThrough(null, 0));
    }

    [Fact]
    public void ProcessTurn_AmongClaimedTokenlessAndReducedRuns_GoesOnlyToAWaitingUnclaimedPrefetchedRun()
    {
        var waiting = new RunTurnState("r-000003", 3, RunStage.Prefetched, "tok", Claimed: false);

        Assert.Equal(new RunTurn("r-000003", "tok"), LedgerStateMachine.ProcessTurn(waiting));
        Assert.Null(LedgerStateMachine.ProcessTurn(waiting with { Claimed = true }));
        Assert.Null(LedgerStateMachine.ProcessTurn(waiting with { Token = null }));
        Assert.Null(LedgerStateMachine.ProcessTurn(waiting with { Stage = RunStage.Reduced }));
        Assert.Null(LedgerStateMachine.ProcessTurn(null));
    }

    [Fact]
    public void PrefetchTurn_ForAReducedRun_IsDueOnlyInsideTheWindowFromTheFirstUnprocessedRun()
    {
        var run = new RunTurnState("r-000005", 5, RunStage.Reduced, "tok", Claimed: false);

        Assert.NotNull(LedgerStateMachine.PrefetchTurn(run, firstNotPastProcessSeq: 3, window: 3));
        Assert.Null(LedgerStateMachine.PrefetchTurn(run, firstNotPastProcessSeq: 3, window: 2));
        Assert.Null(LedgerStateMachine.PrefetchTurn(run, firstNotPastProcessSeq: null, window: 8));
        Assert.Null(LedgerStateMachine.PrefetchTurn(run with { Claimed = true }, 3, 3));
    }

    [Fact]
    public void RequireValidRun_OfMalformedRuns_RefusesNoBatchesNoPartitionsAndABatchListedTwice()
    {
        Assert.Throws<ArgumentException>(() => LedgerStateMachine.RequireValidRun([], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LedgerStateMachine.RequireValidRun(["b1"], 0));
        var twice = Assert.Throws<ReconException>(() => LedgerStateMachine.RequireValidRun(["b1", "b2", "b1"], 1));
        Assert.Equal("b1", twice.BatchId);
        Assert.Contains("listed twice", twice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuarantineKept_OfARejectedBatch_IsEmpty()
    {
        var line = new QuarantinedLine("b1", "f.jsonl", 3, "bad_json", "x", "{");

        Assert.Empty(LedgerStateMachine.QuarantineKept(new ReduceBatchResult("b1", 9, [line], "too many bad lines")));
        Assert.Equal([line], LedgerStateMachine.QuarantineKept(new ReduceBatchResult("b1", 9, [line], null)));
    }
}
