using Microsoft.Playwright;

namespace Papers.EndToEnd.Tests;

/// <summary>The web page in a real browser (Debian's Chromium, driven by Playwright): list, search, similar, upvote.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class WebPageTests(LocalHostFixture host) : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: install Debian's chromium package (scripts/test.sh does).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // This machine has no network beyond loopback: keep Chromium from trying.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    [Fact]
    public async Task A_reader_browses_searches_opens_similar_papers_and_upvotes()
    {
        var page = await _browser!.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        await page.GotoAsync(new Uri(host.Address, "/?date=2025-11-07").ToString());
        var articles = page.Locator("article");
        await Assertions.Expect(articles).ToHaveCountAsync(LocalHostFixture.SamplePapers);
        await Assertions.Expect(page.Locator("#day")).ToContainTextAsync("2025-11-07");

        await page.FillAsync("#q", "storing network weights in fewer bits");
        await page.ClickAsync("#search button");
        await Assertions.Expect(page.Locator("#day")).ToContainTextAsync("results for");
        await Assertions.Expect(articles.First.Locator("h2")).ToContainTextAsync("Quantiz");

        var votes = articles.First.Locator(".upvote span");
        var before = int.Parse(await votes.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await articles.First.Locator(".upvote").ClickAsync();
        await Assertions.Expect(votes).ToHaveTextAsync((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        await articles.First.Locator(".similar").ClickAsync();
        await Assertions.Expect(page.Locator("#day")).ToContainTextAsync("papers similar to");
        await Assertions.Expect(articles.First.Locator(".meta")).ToContainTextAsync("similarity");

        await page.EvaluateAsync("document.querySelector('#q').removeAttribute('maxlength'); document.querySelector('#q').value = 'x'.repeat(300)");
        await page.ClickAsync("#search button");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("250");
        Assert.Empty(errors);
    }
}
