using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Recon.Pages.Tests;

/// <summary>The operations pages in headless Chromium against <c>recon serve --no-ingest</c> on a seeded data folder.</summary>
[Collection("browser")]
public sealed class OperationsPagesTests(OperationsHost host) : IClassFixture<OperationsHost>
{
    [Fact]
    public async Task Overview_ShowsTheLedgersBacklog_AndRetryFromItsButtonLeavesTheBatchPending()
    {
        var page = await host.SignInAsync(host.OperatorToken);
        Assert.EndsWith("/", page.Url, StringComparison.Ordinal);

        // The seed wrote two batches (4 events) after the last run, and one batch whose manifest overstates its lines.
        Assert.Equal(host.Seed.PendingBatches.ToString(CultureInfo.InvariantCulture), await page.Locator("#pending-batches").InnerTextAsync());
        Assert.Equal(host.Seed.PendingEvents.ToString(CultureInfo.InvariantCulture), await page.Locator("#pending-events").InnerTextAsync());
        Assert.Equal("1", await page.Locator("#failed-count").InnerTextAsync());
        var failedRow = page.Locator("#failed-batches tbody tr", new() { HasText = SeededData.FailedBatch });
        Assert.Equal(1, await failedRow.CountAsync());
        Assert.Contains("3", await failedRow.Locator("td").Nth(2).InnerTextAsync(), StringComparison.Ordinal); // the reason names the counts

        // Each source has a freshness badge that says its state in words, not colour alone.
        var badges = page.Locator("#watermarks .badge");
        Assert.True(await badges.CountAsync() >= 3);
        foreach (var text in await badges.AllInnerTextsAsync())
        {
            Assert.Matches("^(fresh|late|stale|blocked|no complete window)", text);
        }

        Assert.True(await page.Locator("svg[role=img]").CountAsync() == 2, "the overview draws the depth and applied-per-hour charts");
        Assert.True(await page.Locator("#runs tbody tr").CountAsync() >= 2);
        await PagesHost.ScreenshotAsync(page, "overview");

        // The range picker redraws the charts for another range.
        await page.Locator("#range").SelectOptionAsync("72");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("hours=72"));
        Assert.Contains("72 h", await page.Locator("figcaption").First.InnerTextAsync(), StringComparison.Ordinal);

        // Retry the failed batch from its button (its input fixed first), confirm, and see it pending again.
        host.Seed.FixFailedBatch();
        await page.GotoAsync("/");
        var row = page.Locator("#failed-batches tbody tr", new() { HasText = SeededData.FailedBatch });
        await row.GetByRole(AriaRole.Button, new() { Name = "Retry batch " + SeededData.FailedBatch }).ClickAsync();

        var dialog = page.Locator("#confirm-dialog");
        Assert.True(await dialog.IsVisibleAsync());
        Assert.Contains(SeededData.FailedBatch, await dialog.InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator("#confirm-yes").ClickAsync();

        await page.WaitForURLAsync(new Regex("/batches/" + SeededData.FailedBatch));
        Assert.Equal("pending", await page.Locator("#batch-status").InnerTextAsync());
        Assert.True(await page.Locator("#retried").IsVisibleAsync());
    }

    [Fact]
    public async Task BatchAndRunPages_ForAnOperator_ShowCountsQuarantineAndTimeline()
    {
        var page = await host.SignInAsync(host.OperatorToken);
        await page.GotoAsync("/batches?status=done");
        var rows = page.Locator("#batches tbody tr");
        Assert.True(await rows.CountAsync() >= 4);
        foreach (var status in await page.Locator("#batches .badge").AllInnerTextsAsync())
        {
            Assert.Equal("done", status);
        }

        await PagesHost.ScreenshotAsync(page, "batches");

        // A generated batch with quarantined lines: its counts add up, and its bad lines are listed with reasons.
        await page.GotoAsync("/batches");
        string? withQuarantine = null;
        foreach (var row in await rows.AllAsync())
        {
            var cells = row.Locator("td");
            if (long.Parse(await cells.Nth(7).InnerTextAsync(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture) > 0)
            {
                withQuarantine = await cells.Nth(0).InnerTextAsync();
                break;
            }
        }

        Assert.NotNull(withQuarantine);
        await page.GotoAsync("/batches/" + Uri.EscapeDataString(withQuarantine));
        long Count(string id) => long.Parse(page.Locator(id).InnerTextAsync().GetAwaiter().GetResult(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.Equal(Count("#count-lines"), Count("#count-applied") + Count("#count-duplicates") + Count("#count-quarantined"));
        Assert.Equal(Count("#count-quarantined"), await page.Locator("#quarantine tbody tr").CountAsync());
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "CSV" }).ClickAsync());
        string csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith("batch_id,file,line,reason,detail,raw", csv, StringComparison.Ordinal);
        await PagesHost.ScreenshotAsync(page, "batch");

        // The run that applied it: a timeline of its states, with durations.
        await page.Locator("dl.facts a.mono").First.ClickAsync();
        await page.WaitForURLAsync(new Regex("/runs/"));
        Assert.True(await page.Locator("#timeline .row").CountAsync() >= 3);
        Assert.Contains("indexed", await page.Locator("#run-stage").InnerTextAsync(), StringComparison.Ordinal);
        await PagesHost.ScreenshotAsync(page, "run");
    }

    [Fact]
    public async Task Pages_SignedInWithAReaderToken_CannotOpenOperationsPagesNorAnotherEntitysArtifact()
    {
        var page = await host.SignInAsync(host.ReaderToken);
        Assert.EndsWith("/artifacts", page.Url, StringComparison.Ordinal);

        foreach (var path in new[] { "/", "/batches", "/runs/r-000001", "/batches/" + SeededData.FailedBatch })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(403, response!.Status);
            Assert.Contains("Not allowed", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain(SeededData.FailedBatch, await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        }

        // Another entity's artifact is answered like a missing one: nothing of it shows.
        var other = await page.GotoAsync("/artifacts/" + SeededData.OtherEntityArtifact);
        Assert.Equal(404, other!.Status);
        string body = await page.Locator("main").InnerTextAsync();
        Assert.DoesNotContain(SeededData.EntityB, body, StringComparison.Ordinal);
        Assert.DoesNotContain("GBP", body, StringComparison.Ordinal);
        var missing = await page.GotoAsync("/artifacts/NO-SUCH-ARTIFACT");
        Assert.Equal(404, missing!.Status);

        // Its own entity's artifact opens.
        var own = await page.GotoAsync("/artifacts/" + SeededData.TwoVersionArtifact);
        Assert.Equal(200, own!.Status);
        Assert.Equal(SeededData.TwoVersionArtifact, await page.Locator("#artifact-id").InnerTextAsync());
    }

    [Fact]
    public async Task ArtifactPage_ForAnIdWithScript_RendersAsTextAndRunsNothing()
    {
        var page = await host.SignInAsync(host.ReaderToken);
        bool dialogOpened = false;
        page.Dialog += (_, d) =>
        {
            dialogOpened = true;
            _ = d.DismissAsync();
        };

        // Through the search box, as a user would type it.
        await page.Locator("#search-id").FillAsync(SeededData.ScriptArtifact);
        await page.Locator("#search-id").PressAsync("Enter");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        Assert.Equal(SeededData.ScriptArtifact, await page.Locator("#artifact-id").InnerTextAsync());
        Assert.Equal(1, await page.Locator("#lines tbody tr").CountAsync());
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        Assert.False(dialogOpened);

        // And the pages forbid inline and foreign script anyway.
        var response = await page.ReloadAsync();
        Assert.Contains("script-src 'self'", (await response!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);

        // A missing id with markup is echoed as text in the problem, too.
        await page.GotoAsync("/artifacts?id=" + Uri.EscapeDataString("<b>bold</b>"));
        Assert.Equal(0, await page.Locator("main b").CountAsync());
        Assert.Contains("<b>bold</b>", await page.Locator("#artifact-id").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_SignInAndOut_RefusesABadTokenSetsAnHttpOnlyStrictCookieAndSignOutEndsIt()
    {
        var bad = await host.NewPageAsync();
        await bad.GotoAsync("/login");
        await PagesHost.ScreenshotAsync(bad, "login");
        await bad.GetByLabel("Token").FillAsync("recon_not-a-real-token");
        await bad.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        Assert.Contains("did not accept", await bad.Locator("#login-error").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(await bad.Context.CookiesAsync(), c => c.Name == "recon_session");

        var page = await host.SignInAsync(host.OperatorToken);
        var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "recon_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(host.OperatorToken, session.Value, StringComparison.Ordinal); // the ticket is encrypted
        // Every form that changes something carries an anti-forgery token.
        Assert.True(await page.Locator("form.who input[name=__recon_af]").CountAsync() == 1);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/login"));
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_AtPhoneWidth_HasNoSidewaysScrollAndIsKeyboardReachable()
    {
        var page = await host.SignInAsync(host.OperatorToken, width: 390, height: 844);
        bool overflows = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        Assert.False(overflows);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await PagesHost.ScreenshotAsync(page, "overview-phone");
    }
}
