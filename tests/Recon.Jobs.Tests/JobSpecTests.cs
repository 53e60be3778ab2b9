using Recon.Core;
using Recon.Orchestration.Jobs;
using Recon.Testing;

namespace Recon.Jobs.Tests;

/// <summary>What `recon jobs submit` and POST /api/jobs check before a spec is queued.</summary>
public sealed class JobSpecTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("[\"compare\"]")]
    [InlineData("{\"name\": \"compare\"}")]
    [InlineData("\"merge\"")]
    public void Prepare_KindThatIsNotCompareOrTransform_IsRefusedAsAUserErrorSayingWhatKindMustBe(string kind)
    {
        var spec = $$"""{"kind": {{kind}}, "source": "a.csv", "target": "b.csv", "key": ["id"]}""";

        var error = Assert.IsType<ReconException>(Record.Exception(() => JobRunner.Prepare(spec, _dir.Path)), exactMatch: false);

        Assert.Equal("the job spec needs \"kind\": \"compare\" or \"transform\"", error.Message);
        Assert.NotNull(error.Action);
    }
}
