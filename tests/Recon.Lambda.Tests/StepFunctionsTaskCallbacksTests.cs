using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Recon.Core;
using Recon.Lambda.Aws;

namespace Recon.Lambda.Tests;

public sealed class StepFunctionsTaskCallbacksTests
{
    [Fact]
    public void SigV4_ForTheAwsDocumentationsGetObjectExample_GivesItsPublishedSignature()
    {
        // "Example: GET Object" of the S3 SigV4 header-signing documentation: its published signature.
        var credentials = new AwsCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null);
        const string emptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        var headers = new Dictionary<string, string>
        {
            ["Host"] = "examplebucket.s3.amazonaws.com",
            ["Range"] = "bytes=0-9",
            ["x-amz-content-sha256"] = emptySha,
            ["x-amz-date"] = "20130524T000000Z",
        };

        var authorization = SigV4.Authorization("GET", "/test.txt", "", headers, emptySha, credentials, "us-east-1", "s3",
            new DateTimeOffset(2013, 5, 24, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            authorization);
    }

    [Fact]
    public async Task SendTaskSuccess_PostsASignedJsonCall_AndTellsAGoneTaskFromAFailure()
    {
        var seen = new List<(IHeaderDictionary Headers, string Body)>();
        var answers = new Queue<(int Status, string Body)>([
            (200, "{}"),
            (400, """{"__type":"com.amazonaws.swf.service.v2.model#TaskTimedOut","message":"Task Timed Out"}"""),
            (400, """{"__type":"InvalidToken","message":"Invalid token"}"""),
            (503, """{"__type":"ServiceUnavailable","message":"try later"}"""),
        ]);
        await using var app = await StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            lock (seen)
            {
                seen.Add((new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase)), body));
            }

            var (status, answer) = answers.Dequeue();
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/x-amz-json-1.0";
            await context.Response.WriteAsync(answer);
        });
        var endpoint = new Uri(app.Urls.First() + "/");
        using var http = new HttpClient();
        var credentials = new AwsCredentials("AKIDEXAMPLE", "secret", "session-token");
        var time = new Recon.Testing.ManualClock(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var callbacks = new StepFunctionsTaskCallbacks(http, () => credentials, "eu-west-1", time, endpoint);

        Assert.True(await callbacks.SendTaskSuccessAsync("tok/1+", """{"run_id":"r-000001"}""", CancellationToken.None));
        Assert.False(await callbacks.SendTaskSuccessAsync("tok-2", "{}", CancellationToken.None));
        var refused = await Assert.ThrowsAsync<ReconException>(() => callbacks.SendTaskSuccessAsync("tok-3", "{}", CancellationToken.None));
        Assert.Contains("InvalidToken", refused.Message, StringComparison.Ordinal);
        var unavailable = await Assert.ThrowsAsync<ReconRetryableException>(() => callbacks.SendTaskSuccessAsync("tok-4", "{}", CancellationToken.None));
        Assert.Equal(ReconErrorNames.Transient, unavailable.ErrorName);

        var (headers, sent) = seen[0];
        Assert.Equal("AWSStepFunctions.SendTaskSuccess", headers["X-Amz-Target"].ToString());
        Assert.Equal("application/x-amz-json-1.0", headers.ContentType.ToString());
        Assert.Equal("20261130T120000Z", headers["X-Amz-Date"].ToString());
        Assert.Equal("session-token", headers["X-Amz-Security-Token"].ToString());
        var request = JsonNode.Parse(sent)!;
        Assert.Equal("tok/1+", (string?)request["taskToken"]);
        Assert.Equal("""{"run_id":"r-000001"}""", (string?)request["output"]);

        // The signature the server can recompute from what it received.
        var signed = new Dictionary<string, string>
        {
            ["host"] = headers.Host.ToString(),
            ["content-type"] = headers.ContentType.ToString(),
            ["x-amz-date"] = headers["X-Amz-Date"].ToString(),
            ["x-amz-target"] = headers["X-Amz-Target"].ToString(),
            ["x-amz-security-token"] = headers["X-Amz-Security-Token"].ToString(),
        };
        Assert.Equal(
            SigV4.Authorization("POST", "/", "", signed, SigV4.Sha256Hex(sent), credentials, "eu-west-1", "states", time.GetUtcNow()),
            headers.Authorization.ToString());
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/eu-west-1/states/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=", headers.Authorization.ToString(), StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        _ = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        return app;
    }
}
