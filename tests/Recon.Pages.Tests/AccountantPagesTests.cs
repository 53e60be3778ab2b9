using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Recon.Pages.Tests;

/// <summary>The accountants' pages in headless Chromium against <c>recon serve</c> with its ingest loop running.</summary>
[Collection("browser")]
public sealed class AccountantPagesTests(IngestHost host) : IClassFixture<IngestHost>
{
    [Fact]
    public async Task Artifact_AsOfPickerShowsTheOlderVersion_AndWhatChangedListsTheAddedLine()
    {
        var page = await host.SignInAsync(host.ReaderToken);
        await page.GotoAsync("/artifacts/" + SeededData.TwoVersionArtifact);
        Assert.Equal("2", await page.Locator("#artifact-version").InnerTextAsync());
        // Version 2 added a -100.00 USD remittance to 100.00 USD: the USD balance is 0.00, right-aligned with 2 decimals.
        var usd = page.Locator("#balances tbody tr", new() { HasText = "USD" }).Locator("td.num");
        Assert.Equal("0.00", await usd.InnerTextAsync());
        Assert.Equal("right", await usd.EvaluateAsync<string>("e => getComputedStyle(e).textAlign"));
        Assert.Equal(3, await page.Locator("#lines tbody tr").CountAsync());
        await PagesHost.ScreenshotAsync(page, "artifact");

        // The lines sort by a column header (a link, so the keyboard reaches it), ascending then descending.
        await page.Locator("#lines thead a", new() { HasText = "Amount" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("sort=amount&dir=asc"));
        Assert.Equal(["-100.00", "25.50", "100.00"], await page.Locator("#lines tbody td:nth-child(4)").AllInnerTextsAsync());
        await page.Locator("#lines thead a", new() { HasText = "Amount" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("dir=desc"));
        Assert.Equal(["100.00", "25.50", "-100.00"], await page.Locator("#lines tbody td:nth-child(4)").AllInnerTextsAsync());
        Assert.Equal("descending", await page.Locator("#lines th[aria-sort]").GetAttributeAsync("aria-sort"));

        // The as-of picker, with the time version 1 was written: the page shows version 1.
        var v1Row = page.Locator("#versions tbody tr").Filter(new() { Has = page.Locator("td:first-child", new() { HasTextRegex = new Regex("^1$") }) });
        string v1Time = await v1Row.Locator("td").Nth(2).InnerTextAsync();
        await page.Locator("#as-of").FillAsync(v1Time);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show that version" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("asOf="));
        Assert.Equal("1", await page.Locator("#artifact-version").InnerTextAsync());
        Assert.Equal("100.00", await page.Locator("#balances tbody tr", new() { HasText = "USD" }).Locator("td.num").InnerTextAsync());
        Assert.Equal(2, await page.Locator("#lines tbody tr").CountAsync());

        // What changed from 1 to 2: the remittance line, and USD 100.00 → 0.00.
        await page.Locator("#diff-from").SelectOptionAsync("1");
        await page.Locator("#diff-to").SelectOptionAsync("2");
        await page.Locator("#diff-open").ClickAsync();
        await page.WaitForURLAsync(new Regex("/changes"));
        Assert.Equal(1, await page.Locator("#lines-added tbody tr").CountAsync());
        Assert.Contains(host.Seed.FirstEventOfVersion2, await page.Locator("#lines-added").InnerTextAsync(), StringComparison.Ordinal);
        var usdChange = await page.Locator("#diff-balances tbody tr", new() { HasText = "USD" }).Locator("td").AllInnerTextsAsync();
        Assert.Equal(["USD", "100.00", "0.00", "-100.00"], usdChange);
        await PagesHost.ScreenshotAsync(page, "what-changed");
    }

    [Fact]
    public async Task CorrectionForm_ValidatesBeforeSubmit_ThenTheArtifactShowsItApplied()
    {
        var page = await host.SignInAsync(host.SubmitterToken);
        await page.GotoAsync("/corrections/new?artifact=" + SeededData.TwoVersionArtifact);

        // A bad amount is caught before anything is sent, with the ingest's reason.
        await page.GetByLabel("Row 1 event id").FillAsync("corr-e1");
        await page.GetByLabel("Row 1 type").FillAsync("correction");
        await page.GetByLabel("Row 1 amount").FillAsync("12,5");
        await page.GetByLabel("Row 1 currency").FillAsync("EUR");
        await page.GetByLabel("Row 1 occurred at").FillAsync("2026-11-21T11:00:00Z");
        await page.Locator("#check-button").ClickAsync();
        Assert.Contains("invalid-amount", await page.Locator("#check-lines").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#submit-button").CountAsync());

        await page.GetByLabel("Row 1 amount").FillAsync("-4.50");
        await page.Locator("#check-button").ClickAsync();
        Assert.Contains("valid", await page.Locator("#check-lines").InnerTextAsync(), StringComparison.Ordinal);
        await PagesHost.ScreenshotAsync(page, "correction");
        await page.Locator("#submit-button").ClickAsync();

        // The artifact page says the correction is submitted and refreshes itself until the ingest loop applied it.
        await page.WaitForURLAsync(new Regex("/artifacts/" + SeededData.TwoVersionArtifact + @"\?batch="));
        await page.Locator("#correction-status", new() { HasText = "is applied" }).WaitForAsync(new() { Timeout = 60_000 });
        Assert.Contains("corr-e1", await page.Locator("#lines").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("21.00", await page.Locator("#balances tbody tr", new() { HasText = "EUR" }).Locator("td.num").InnerTextAsync());
    }
}
