using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Xml;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Papers.EndToEnd.Tests.Web;

/// <summary>
/// Titles, abstracts, author names and search terms are text everywhere: a paper carrying
/// <c>&lt;script&gt;</c> and <c>onerror=</c> payloads, brought through moderation, renders as those
/// characters in a real browser on every page that shows it, in its OpenGraph tags and in feeds; no
/// element or handler of its own reaches the document.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class HostileContentTests(LocalHostFixture host, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private static readonly SubmittedPapers.Submission Paper = SubmittedPapers.Hostile;

    [Fact]
    public async Task Stored_markup_stays_text_on_every_page_that_shows_it()
    {
        var id = await SubmittedPapers.IdAsync(host, Paper);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        string[] pages =
        [
            "/papers/" + id, "/date/" + today, "/search?q=zyzzogeton", "/authors/" + Uri.EscapeDataString(Paper.Authors[0]),
            "/authors/" + Uri.EscapeDataString(Paper.Authors[1]), "/search?q=" + Uri.EscapeDataString("<script>window.__pwned='q'</script>"),
            "/topics/" + Uri.EscapeDataString("<img src=x onerror=alert(1)>"),
        ];
        await using var watched = await browser.NewPageAsync(host.Address);
        var page = watched.Page;
        foreach (var path in pages)
        {
            await page.GotoAsync(path);
            Assert.Null(await page.EvaluateAsync<string?>("window.__pwned ?? null"));
            // Only our own script element; no element or handler from the payloads.
            Assert.Equal(1, await page.Locator("script").CountAsync());
            Assert.Equal(0, await page.Locator("main img, main svg, main i, main b, [onerror], [onload], [onmouseover]").CountAsync());
        }

        await page.GotoAsync("/papers/" + id);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(Paper.Title);
        await Assertions.Expect(page.Locator("p.abstract")).ToHaveTextAsync(Paper.Summary);
        await Assertions.Expect(page.Locator("ul.authors li").First).ToHaveTextAsync(Paper.Authors[0]);
        await Assertions.Expect(page.Locator("meta[property='og:title']")).ToHaveAttributeAsync("content", Paper.Title + " — Papers");
        await Assertions.Expect(page.Locator("meta[name=citation_author]").First).ToHaveAttributeAsync("content", Paper.Authors[0]);
        await Assertions.Expect(page).ToHaveTitleAsync(Paper.Title + " — Papers");
        output.WriteLine($"screenshot hostile-paper: {await watched.ScreenshotAsync("hostile-paper")}");

        await page.GotoAsync("/search?q=zyzzogeton");
        await Assertions.Expect(page.Locator("article.card h2").First).ToHaveTextAsync(Paper.Title);
        await Assertions.Expect(page.Locator("article.card h2 mark").First).ToHaveTextAsync("Zyzzogeton");
        Assert.Empty(watched.Errors);
    }

    [Fact]
    public async Task Feeds_and_the_api_carry_the_markup_as_text()
    {
        var id = await SubmittedPapers.IdAsync(host, Paper);
        using var client = host.CreateClient();

        foreach (var format in new[] { "rss", "atom" })
        {
            var xml = await client.GetStringAsync($"/authors/{Uri.EscapeDataString(Paper.Authors[1])}?format={format}");
            Assert.DoesNotContain("<script>", xml, StringComparison.Ordinal);
            using var reader = XmlReader.Create(new StringReader(xml));
            var item = SyndicationFeed.Load(reader).Items.Single();
            Assert.Equal(Paper.Title, item.Title.Text);
            Assert.Equal(Paper.Summary, item.Summary.Text);
        }

        var paper = JsonDocument.Parse(await client.GetStringAsync($"/v1/papers/{id}")).RootElement;
        Assert.Equal(Paper.Title, paper.GetProperty("title").GetString());
        Assert.Equal(Paper.Authors, paper.GetProperty("authors").EnumerateArray().Select(a => a.GetString()));
    }
}
