using System.Net;
using System.Text.Json;

namespace Papers.EndToEnd.Tests.Web;

/// <summary>Every page type fetched as plain HTML (no script runs): the content is in the document itself.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class PagesWithoutScriptTests(LocalHostFixture host)
{
    // A plain client on the host's socket, that shows redirects instead of following them.
    private readonly HttpClient _client = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };

    private async Task<string> HtmlAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await _client.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<string> SampleTitleAsync()
    {
        var item = JsonDocument.Parse(await _client.GetStringAsync("/api/daily_papers?date=2025-11-07&sort=trending&limit=1")).RootElement[0];
        return System.Net.WebUtility.HtmlEncode(item.GetProperty("title").GetString()!);
    }

    [Fact]
    public async Task Daily_lists_show_their_papers_and_navigation()
    {
        var title = await SampleTitleAsync();

        var latest = await HtmlAsync("/");
        Assert.Contains(title, latest);
        Assert.Contains("74 papers listed on Nov 7, 2025", latest);
        Assert.Contains("href=\"/?p=1\"", latest);
        Assert.Contains(title, await HtmlAsync("/date/2025-11-07"));
        Assert.Contains("74 papers listed in Week 45 of 2025", await HtmlAsync("/week/2025-W45"));
        Assert.Contains("74 papers listed in November 2025", await HtmlAsync("/month/2025-11?sort=newest"));
        var empty = await HtmlAsync("/date/2025-11-09");
        Assert.Contains("No papers were listed on this day", empty);
        Assert.Contains("href=\"/date/2025-11-07\"", empty);
        await HtmlAsync("/date/2025-02-30", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_paper_page_has_its_text_links_topics_and_neighbours_and_describes_itself()
    {
        var id = await SubmittedPapers.IdAsync(host, SubmittedPapers.Ordinary);

        var html = await HtmlAsync("/papers/" + id);

        Assert.Contains("<h1>Notes on the Analytical Engine and the quantization of its weights</h1>", html);
        Assert.Contains("We revisit the notes on the Analytical Engine", html);
        Assert.Contains("href=\"/authors/Ada%20Lovelace\"", html);
        Assert.Contains("Similar papers", html);
        Assert.Contains("Topics and keywords", html);
        Assert.Contains("<meta property=\"og:title\" content=\"Notes on the Analytical Engine and the quantization of its weights — Papers\"", html);
        Assert.Contains($"<link rel=\"canonical\" href=\"http://127.0.0.1:8080/papers/{id}\"", html);
        Assert.Contains("<meta name=\"citation_author\" content=\"Charles Babbage\"", html);
        Assert.Contains("name=\"__RequestVerificationToken\"", html);
        await HtmlAsync("/papers/2501.99999", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Search_topics_authors_and_subscribe_render_on_the_server()
    {
        await SubmittedPapers.IdAsync(host, SubmittedPapers.Ordinary);

        var search = await HtmlAsync("/search?q=quantization");
        Assert.Matches("[0-9]+ results for “quantization”", search);
        Assert.Contains("<mark>", search);
        Assert.Contains("href=\"/search?q=quantization&amp;p=1\"", search);
        Assert.Contains("<label for=\"q\">", await HtmlAsync("/search"));
        Assert.Contains("Machine Learning", await HtmlAsync("/topics"));
        var topic = await HtmlAsync("/topics/cs.LG");
        Assert.Contains("Recent papers", topic);
        Assert.Contains("href=\"/topics/cs.LG?format=atom\"", topic);
        Assert.Equal(HttpStatusCode.MovedPermanently, (await _client.GetAsync("/topics/CS.lg")).StatusCode);
        Assert.Contains("Notes on the Analytical Engine", await HtmlAsync("/authors/ada%20lovelace"));
        var subscribe = await HtmlAsync("/subscribe");
        Assert.Contains("action=\"/api/subscriptions\"", subscribe);
        Assert.Contains("Check your inbox", await HtmlAsync("/subscribe?sent=1"));
    }

    [Theory]
    [InlineData("/date/9999-12-31", HttpStatusCode.OK)]
    [InlineData("/month/9999-12", HttpStatusCode.OK)]
    [InlineData("/week/9999-W52", HttpStatusCode.NotFound)]
    [InlineData("/month/0000-01", HttpStatusCode.NotFound)]
    [InlineData("/week/9998-W52", HttpStatusCode.OK)]
    [InlineData("/date/0001-01-01", HttpStatusCode.OK)]
    public async Task The_ends_of_the_calendar_are_pages_or_not_found_never_errors(string path, HttpStatusCode expected) =>
        await HtmlAsync(path, expected);

    [Fact]
    public async Task Broken_forms_are_client_errors()
    {
        using var broken = new StringContent("--boundary\r\nno headers, no end");
        broken.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=boundary");
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostAsync("/vote", broken)).StatusCode);
        using var subscribe = await _client.PostAsync("/api/subscriptions", broken);
        Assert.Equal(HttpStatusCode.SeeOther, subscribe.StatusCode);
        Assert.Equal("/subscribe?error=email", subscribe.Headers.Location?.OriginalString);

        // Cut short: a part that never ends.
        using var cut = new StringContent("--boundary\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n2401.00001");
        cut.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=boundary");
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostAsync("/vote", cut)).StatusCode);
        using var cutSubscribe = await _client.PostAsync("/api/subscriptions", cut);
        Assert.Equal(HttpStatusCode.SeeOther, cutSubscribe.StatusCode);

        // No content type at all matches the form and the JSON endpoint: the JSON one answers.
        using var bare = await _client.PostAsync("/api/subscriptions", null);
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Equal("application/problem+json", bare.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Static_files_are_fingerprinted_compressed_and_cacheable()
    {
        var html = await HtmlAsync("/topics");
        var css = System.Text.RegularExpressions.Regex.Match(html, "href=\"(/static/app\\.[a-z0-9]+\\.css)\"").Groups[1].Value;
        Assert.NotEmpty(css);

        using var request = new HttpRequestMessage(HttpMethod.Get, css);
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        Assert.NotNull(response.Headers.ETag);
    }
}
