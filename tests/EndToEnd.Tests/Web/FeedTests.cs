using System.Net;
using System.ServiceModel.Syndication;
using System.Xml;

namespace Papers.EndToEnd.Tests.Web;

/// <summary>
/// RSS 2.0 and Atom 1.0 of the daily list, a topic, an author and a search, read back with
/// System.ServiceModel.Syndication's formatters (which refuse what breaks the formats' rules), with
/// stable item ids and dates.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class FeedTests(LocalHostFixture host)
{
    private readonly HttpClient _client = host.CreateClient();

    private async Task<(SyndicationFeed Feed, string Text)> ReadAsync(string url, string format)
    {
        using var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(format == "rss" ? "application/rss+xml" : "application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        using var reader = XmlReader.Create(new StringReader(text));
        SyndicationFeedFormatter formatter = format == "rss" ? new Rss20FeedFormatter() : new Atom10FeedFormatter();
        Assert.True(formatter.CanRead(reader), $"{url} is not {format}");
        formatter.ReadFrom(reader);
        return (formatter.Feed, text);
    }

    public static TheoryData<string> Listings => new() { "/", "/date/2025-11-07", "/week/2025-W45?sort=newest", "/topics/cs.LG", "/authors/Ada%20Lovelace", "/search?q=quantization" };

    [Theory]
    [MemberData(nameof(Listings))]
    public async Task Every_listing_is_valid_rss_and_atom_with_stable_ids_and_dates(string listing)
    {
        await SubmittedPapers.IdAsync(host, SubmittedPapers.Ordinary);
        var separator = listing.Contains('?') ? '&' : '?';
        var (rss, rssText) = await ReadAsync($"{listing}{separator}format=rss", "rss");
        var (atom, _) = await ReadAsync($"{listing}{separator}format=atom", "atom");
        var (again, againText) = await ReadAsync($"{listing}{separator}format=rss", "rss");

        Assert.NotEmpty(rss.Items);
        Assert.InRange(rss.Items.Count(), 1, 50);
        Assert.Equal(rss.Items.Select(i => i.Id), atom.Items.Select(i => i.Id));
        Assert.Equal(rss.Items.Select(i => i.Id).Distinct().Count(), rss.Items.Count());
        Assert.All(rss.Items, i => Assert.StartsWith("http://127.0.0.1:8080/papers/", i.Id));
        Assert.All(atom.Items, i => Assert.NotEqual(default, i.LastUpdatedTime));
        Assert.All(atom.Items, i => Assert.True(i.PublishDate <= i.LastUpdatedTime));
        Assert.All(atom.Items, i => Assert.False(string.IsNullOrWhiteSpace(i.Summary.Text)));
        Assert.Equal(atom.Items.Max(i => i.LastUpdatedTime), atom.LastUpdatedTime);
        Assert.Contains(atom.Links, l => l.RelationshipType == "self" && l.Uri.ToString().Contains("format=atom", StringComparison.Ordinal));
        // Fetched again, the feed is the same document: ids and dates do not move between fetches.
        Assert.Equal(rssText, againText);
        Assert.Equal(rss.Items.Select(i => i.PublishDate), again.Items.Select(i => i.PublishDate));
    }

    [Fact]
    public async Task Feeds_answer_304_while_unchanged_and_unknown_formats_are_not_found()
    {
        using var first = await _client.GetAsync("/topics/cs.LG?format=atom");
        Assert.True(first.Headers.CacheControl?.Public);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/topics/cs.LG?format=atom");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(again)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/?format=json")).StatusCode);
    }
}
