using System.Globalization;
using System.ServiceModel.Syndication;
using System.Text.RegularExpressions;
using System.Xml;
using Microsoft.Playwright;
using Papers.EndToEnd.Tests.Web;
using Xunit.Abstractions;

namespace Papers.EndToEnd.Tests;

/// <summary>
/// The web in a real browser (Debian's Chromium, driven by Playwright): every page type loaded and
/// used as a reader would, with script and without, screenshots of each under
/// <c>screenshots/</c> in the test output folder, and the axe-core accessibility check.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed partial class WebPageTests(LocalHostFixture host, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private static int Count(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private async Task ShotAsync(WatchedPage page, string name) => output.WriteLine($"screenshot {name}: {await page.ScreenshotAsync(name)}");

    [Fact]
    public async Task A_reader_browses_days_searches_opens_a_paper_upvotes_follows_a_feed_and_subscribes()
    {
        await using var watched = await browser.NewPageAsync(host.Address);
        var page = watched.Page;

        await page.GotoAsync("/");
        var cards = page.Locator("main .cards").First.Locator("article.card");
        await Assertions.Expect(cards).ToHaveCountAsync(30);
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Daily Papers");
        await Assertions.Expect(page.Locator(".range-label")).ToHaveTextAsync("Nov 7, 2025");
        await ShotAsync(watched, "daily");
        // "More papers" appends the next page in place (script); the address stays.
        await page.ClickAsync("a.more");
        await Assertions.Expect(cards).ToHaveCountAsync(60);
        Assert.EndsWith("/", page.Url);

        await page.GetByRole(AriaRole.Link, new() { Name = "Week", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/week/2025-W45$"));
        await Assertions.Expect(page.Locator("p.count")).ToContainTextAsync("74 papers listed in Week 45 of 2025");
        await page.GetByRole(AriaRole.Link, new() { Name = "Newest", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/week/2025-W45\\?sort=newest$"));
        await ShotAsync(watched, "week");
        await page.GetByRole(AriaRole.Link, new() { Name = "Month", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/month/2025-11\\?sort=newest$"));

        await page.FillAsync("#site-q", "storing network weights in fewer bits");
        await page.PressAsync("#site-q", "Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/search\\?q=storing"));
        await Assertions.Expect(page.Locator("#result-count")).ToContainTextAsync("results for “storing network weights in fewer bits”");
        var first = page.Locator("main .cards article.card").First;
        await Assertions.Expect(first.Locator("h2")).ToContainTextAsync(new Regex("[Qq]uantiz"));
        await Assertions.Expect(page.Locator("main mark").First).ToBeVisibleAsync();
        await ShotAsync(watched, "search");

        var title = await first.Locator("h2 a").InnerTextAsync();
        await first.Locator("h2 a").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(title);
        await Assertions.Expect(page.Locator("section[aria-labelledby=similar] article.card")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("meta[property='og:title']")).ToHaveAttributeAsync("content", title + " — Papers");
        await ShotAsync(watched, "paper");

        // Upvote in place (script), still counted after a reload, then taken back.
        var vote = page.Locator(".paper-head form.vote button");
        var before = Count(await vote.Locator(".count").InnerTextAsync());
        await vote.ClickAsync();
        await Assertions.Expect(vote.Locator(".count")).ToHaveTextAsync((before + 1).ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(vote).ToHaveAttributeAsync("aria-pressed", "true");
        await page.ReloadAsync();
        await Assertions.Expect(vote.Locator(".count")).ToHaveTextAsync((before + 1).ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(vote).ToHaveAttributeAsync("aria-pressed", "true");
        await vote.ClickAsync();
        await Assertions.Expect(vote.Locator(".count")).ToHaveTextAsync(before.ToString(CultureInfo.InvariantCulture));

        // A topic of the paper, its feed link, and the feed a reader would subscribe to.
        await page.Locator("ul.tags.scored a").First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/topics/"));
        await Assertions.Expect(page.Locator("section[aria-labelledby=recent] article.card")).Not.ToHaveCountAsync(0);
        await ShotAsync(watched, "topic");
        var atom = await page.Locator("link[rel=alternate][type='application/atom+xml']").GetAttributeAsync("href");
        var response = await page.APIRequest.GetAsync(atom!);
        Assert.Equal("application/atom+xml; charset=utf-8", response.Headers["content-type"]);
        using (var reader = XmlReader.Create(new MemoryStream(await response.BodyAsync())))
            Assert.NotEmpty(SyndicationFeed.Load(reader).Items);

        await page.GotoAsync("/topics");
        await Assertions.Expect(page.Locator("ul.topic-list li")).Not.ToHaveCountAsync(0);
        await ShotAsync(watched, "topics");

        // The subscribe box posts to /api/subscriptions, which sends the browser to "check your inbox".
        var email = $"web-{Guid.NewGuid():N}@example.org";
        await page.GotoAsync("/subscribe");
        await page.FillAsync("#page-email", email);
        await page.FillAsync("#page-topics", "quantization, cs.CL");
        await page.ClickAsync("form.subscribe >> nth=0 >> button");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/subscribe\\?sent=1$"));
        await Assertions.Expect(page.Locator(".notice h2")).ToHaveTextAsync("Check your inbox");
        await ShotAsync(watched, "subscribe-sent");
        await Eventually.UntilAsync(() => Task.FromResult(host.MailsTo(email).Count == 1), TimeSpan.FromSeconds(10), "the confirmation mail");

        Assert.Empty(watched.Errors);
        Assert.Empty(watched.CspViolations);
    }

    [Fact]
    public async Task Without_script_every_control_is_a_link_or_a_form_that_works()
    {
        var authorPaper = await SubmittedPapers.IdAsync(host, SubmittedPapers.Ordinary);
        await using var watched = await browser.NewPageAsync(host.Address, javaScript: false);
        var page = watched.Page;

        await page.GotoAsync("/");
        var firstTitle = await page.Locator("article.card h2").First.InnerTextAsync();
        await page.ClickAsync("a.more");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/\\?p=1$"));
        Assert.NotEqual(firstTitle, await page.Locator("article.card h2").First.InnerTextAsync());
        await page.ClickAsync("a[rel=prev]");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/$"));

        // Upvote as a form: the POST counts and the browser comes back to the paper it voted on.
        await page.GotoAsync("/papers/" + authorPaper);
        var vote = page.Locator(".paper-head form.vote button");
        var before = Count(await vote.Locator(".count").InnerTextAsync());
        await vote.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/papers/{Regex.Escape(authorPaper)}#p-"));
        await Assertions.Expect(vote.Locator(".count")).ToHaveTextAsync((before + 1).ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(vote).ToHaveAttributeAsync("aria-pressed", "true");
        await ShotAsync(watched, "paper-no-script");

        await page.GetByRole(AriaRole.Link, new() { Name = "Ada Lovelace" }).First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/authors/Ada%20Lovelace$"));
        await Assertions.Expect(page.Locator("article.card h2")).ToContainTextAsync(["Analytical Engine"]);
        await ShotAsync(watched, "author");

        // Search with a filter as a plain GET form, and the abstract mode as a POST form (an abstract may not fit in a URL).
        await page.GotoAsync("/search");
        await page.FillAsync("#q", "quantization");
        await page.SelectOptionAsync("#category", "cs.LG");
        await page.ClickAsync("form.search-form button[type=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/search\\?q=quantization&.*category=cs.LG"));
        await Assertions.Expect(page.Locator("#result-count")).ToContainTextAsync("results for “quantization”");
        await page.GotoAsync("/search");
        await page.ClickAsync("details.abstract-search summary");
        await page.FillAsync("#abstract", SubmittedPapers.Ordinary.Summary);
        await page.ClickAsync("details.abstract-search button");
        await Assertions.Expect(page.Locator("#result-count")).ToContainTextAsync("like the abstract you pasted");
        await Assertions.Expect(page.Locator("article.card h2").First).ToContainTextAsync("Analytical Engine");
        await ShotAsync(watched, "search-abstract");

        await page.GotoAsync("/search?q=" + new string('x', 300));
        await Assertions.Expect(page.Locator(".errors")).ToContainTextAsync("at most 250 characters");
        Assert.Empty(watched.Errors);
    }

    [Fact]
    public async Task Every_page_type_passes_the_accessibility_check_and_keeps_the_content_security_policy()
    {
        var authorPaper = await SubmittedPapers.IdAsync(host, SubmittedPapers.Ordinary);
        string[] pages =
        [
            "/", "/week/2025-W45", "/month/2025-11?sort=newest", "/papers/" + authorPaper, "/search", "/search?q=quantization&category=cs.LG",
            "/topics", "/topics/cs.LG", "/authors/Ada%20Lovelace", "/subscribe", "/subscribe?sent=1", "/papers/no-such-paper", "/reference",
        ];
        await using var watched = await browser.NewPageAsync(host.Address);
        var problems = new List<string>();
        foreach (var path in pages)
        {
            await watched.Page.GotoAsync(path, new() { WaitUntil = WaitUntilState.NetworkIdle });
            if (path == "/reference")
                await Assertions.Expect(watched.Page.Locator("#app h1").Filter(new() { HasText = "Papers API" })).ToBeVisibleAsync();
            var found = await watched.AccessibilityProblemsAsync();
            output.WriteLine($"axe {path}: {found.Count} serious or critical");
            foreach (var problem in found)
                output.WriteLine("  " + problem);
            problems.AddRange(found.Select(f => $"{path}: {f}"));
        }
        await ShotAsync(watched, "reference");
        output.WriteLine($"axe-core {await watched.Page.EvaluateAsync<string>("window.axe.version")}");

        Assert.Empty(problems);
        Assert.Empty(watched.CspViolations);
        Assert.Empty(watched.Errors);
    }

    [Fact]
    public async Task Keyboard_users_skip_to_the_content_and_reach_search_and_votes_in_order()
    {
        await using var watched = await browser.NewPageAsync(host.Address);
        var page = watched.Page;
        await page.GotoAsync("/");

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("document.activeElement.id"));

        await page.GotoAsync("/");
        var order = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            order.Add(await page.EvaluateAsync<string>("(e => e.id || e.getAttribute('href') || e.closest('form')?.className || e.tagName)(document.activeElement)"));
        }
        Assert.True(order.IndexOf("site-q") < order.IndexOf("vote"), string.Join(", ", order));
        await page.FocusAsync("#site-q");
        await page.Keyboard.TypeAsync("quantization");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/search\\?q=quantization"));
    }
}
