using System.Text;
using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Lambda.Runtime;

namespace Recon.Lambda.Tests;

/// <summary>The custom runtime's client and loop against a Lambda Runtime API served on loopback by Kestrel.</summary>
public sealed class LambdaRuntimeTests
{
    [Fact]
    public async Task Loop_OnEachEvent_AnswersItAndReportsErrorsUnderTheNamesTheDefinitionsCatch()
    {
        var now = DateTimeOffset.UtcNow;
        await using var api = await FakeRuntimeApi.StartAsync(
            ("req-1", now.AddMinutes(5), """{"n":1}"""),
            ("req-2", now.AddMinutes(5), """{"throttle":true}"""),
            ("req-3", now.AddMinutes(5), """{"bad":true}"""),
            ("req-4", now.AddMilliseconds(700), """{"slow":true}"""));
        using var http = new HttpClient();
        var client = new LambdaRuntimeClient(http, api.HostAndPort);
        var loop = new LambdaRuntimeLoop(client, async (input, ct) =>
        {
            var request = (await JsonNode.ParseAsync(input, cancellationToken: ct))!;
            if (request["throttle"] is not null)
            {
                throw new ReconRetryableException(ReconErrorNames.Throttled, "ProvisionedThroughputExceeded: slow down");
            }

            if (request["bad"] is not null)
            {
                throw new InvalidOperationException("a bug");
            }

            if (request["slow"] is not null)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), ct); // cancelled at the deadline
            }

            return new MemoryStream(Encoding.UTF8.GetBytes($$"""{"doubled":{{(int)request["n"]! * 2}}}"""));
        }, TimeProvider.System) { DeadlineMargin = TimeSpan.FromMilliseconds(200) };

        Assert.Equal(4, await loop.RunAsync(CancellationToken.None, maxInvocations: 4));

        Assert.Equal("""{"doubled":2}""", api.Responses["req-1"]);
        var throttled = api.Errors["req-2"];
        Assert.Equal(ReconErrorNames.Throttled, throttled.Header);
        Assert.Equal(ReconErrorNames.Throttled, (string?)throttled.Body["errorType"]);
        Assert.Equal("ProvisionedThroughputExceeded: slow down", (string?)throttled.Body["errorMessage"]);
        Assert.Equal("InvalidOperationException", api.Errors["req-3"].Header);
        Assert.Equal(ReconErrorNames.Transient, api.Errors["req-4"].Header);
        Assert.Contains("deadline", (string?)api.Errors["req-4"].Body["errorMessage"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportInitError_WithAType_PostsTheErrorWithItsType()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        using var http = new HttpClient();

        await new LambdaRuntimeClient(http, api.HostAndPort).ReportInitErrorAsync("Recon.Validation", "_HANDLER 'recon-nope' is not a function", CancellationToken.None);

        var (header, body) = Assert.Single(api.InitErrors);
        Assert.Equal("Recon.Validation", header);
        Assert.Equal("_HANDLER 'recon-nope' is not a function", (string?)body["errorMessage"]);
    }

    [Fact]
    public async Task Next_OnAnEventWithoutADeadline_RefusesItClearly()
    {
        await using var api = await FakeRuntimeApi.StartAsync(("req-1", null, "{}"));
        using var http = new HttpClient();

        var ex = await Assert.ThrowsAsync<ReconException>(() => new LambdaRuntimeClient(http, api.HostAndPort).NextAsync(CancellationToken.None));

        Assert.Contains("Lambda-Runtime-Deadline-Ms", ex.Message, StringComparison.Ordinal);
    }
}
