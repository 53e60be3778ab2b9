using Microsoft.Playwright;
using Recon.Testing;

namespace Recon.Pages.Tests;

/// <summary>
/// One seeded data folder, one <c>recon serve</c> on it and one headless Chromium (Debian's) for a test class. Each
/// test opens its own browser context, so sessions never leak between tests.
/// </summary>
public abstract class PagesHost : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly bool _ingest;
    private readonly TempFolder _folder = new();
    private ReconServeProcess? _server;
    private IPlaywright? _playwright;

    protected PagesHost(bool ingest)
    {
        _ingest = ingest;
    }

    internal SeededData Seed { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl => _server!.BaseUrl;

    public string OperatorToken { get; private set; } = "";

    public string ReaderToken { get; private set; } = "";

    public string SubmitterToken { get; private set; } = "";

    public string ServerOutput => _server?.Output ?? "";

    /// <summary>Screenshots of the main pages, under the test output directory.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            // Never a skip: tools/test.sh installs it (apt-get install -y chromium).
            throw new InvalidOperationException($"Chromium is not installed at {ChromiumPath}. Run tools/test.sh, which installs it (apt-get install -y chromium).");
        }

        Seed = new SeededData(_folder.Path);
        await Seed.BuildAsync(withPending: !_ingest);
        OperatorToken = await Seed.CreateTokenAsync("ops", "operator", "*");
        ReaderToken = await Seed.CreateTokenAsync("reader-a", "reader", SeededData.EntityA);
        SubmitterToken = await Seed.CreateTokenAsync("submitter-a", "submitter", SeededData.EntityA);
        _server = ReconServeProcess.Start(Seed.Data, _ingest);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
        await WarmUpAsync();
    }

    /// <summary>
    /// Signs in once and opens the overview before any test: the first sign-in JITs the server's pages and starts the
    /// browser's renderer, which on two busy cores can alone take longer than a test's 15 s timeouts.
    /// </summary>
    private async Task WarmUpAsync()
    {
        var page = await NewPageAsync();
        page.SetDefaultTimeout(120_000);
        page.SetDefaultNavigationTimeout(120_000);
        await page.GotoAsync("/login");
        await page.GetByLabel("Token").FillAsync(OperatorToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        await page.Context.CloseAsync();
    }

    /// <summary>A fresh browser context (its own cookies) at 1280×800, or another viewport.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        // A bound for a wedged page, not a speed claim: on 2 busy cores a sign-in has taken more than 15 s.
        context.SetDefaultTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the login form, as a person pasting a token would.</summary>
    public async Task<IPage> SignInAsync(string token, int width = 1280, int height = 800)
    {
        var page = await NewPageAsync(width, height);
        await page.GotoAsync("/login");
        await page.GetByLabel("Token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        return page;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        _server?.Dispose();
        _folder.Dispose();
    }
}

/// <summary>A host with the ingest loop off (<c>--no-ingest</c>): the backlog stays as seeded, a retried batch stays pending.</summary>
public sealed class OperationsHost() : PagesHost(ingest: false);

/// <summary>A host with the ingest loop on: a submitted correction gets applied.</summary>
public sealed class IngestHost() : PagesHost(ingest: true);

[CollectionDefinition("browser", DisableParallelization = true)]
public sealed class BrowserCollection;
