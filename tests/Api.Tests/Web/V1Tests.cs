using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Papers.Api.Browse;

namespace Papers.Api.Tests.Web;

/// <summary>
/// <c>/v1</c> over a real Api host and read model: cursor paging, filters, <c>fields=</c>, batch
/// lookup, similar papers, one problem shape with stable codes, ETags and <c>Cache-Control</c>.
/// </summary>
public sealed class V1Tests : IAsyncLifetime
{
    private static readonly DateOnly Monday = new(2026, 6, 8);
    private readonly ApiHost _host = new(new() { ["Services:Enrichment"] = "http://127.0.0.1:9" });
    private HttpClient _client = default!;

    public async Task InitializeAsync()
    {
        _client = _host.CreateClient();
        var rows = new List<object>();
        for (var i = 0; i < 12; i++)
        {
            var id = $"2606.{i:00000}";
            var category = i % 3 == 0 ? "cs.CL" : "cs.LG";
            rows.Add(Seed.Paper(id, Monday.AddDays(i / 4), $"Paper {i}", authors: i % 2 == 0 ? ["Grace Hopper", $"Author {i}"] : [$"Author {i}"],
                publishedOn: Monday.AddDays(-i), upvotes: i, categories: [category]));
            rows.Add(Seed.Enrichment(id, i % 4 == 0 ? "quantization" : category));
        }
        await _host.SeedRowsAsync([.. rows]);
        await _host.Services.GetRequiredService<FacetHydrator>().RefreshAsync(default);
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    private async Task<JsonElement> JsonAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await _client.GetAsync(url);
        Assert.Equal(expected, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<List<JsonElement>> AllPagesAsync(string url)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await JsonAsync(url + (cursor is null ? "" : "&cursor=" + cursor));
            all.AddRange(page.GetProperty("data").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return all;
    }

    private static IEnumerable<string?> Ids(IEnumerable<JsonElement> papers) => papers.Select(p => p.GetProperty("id").GetString());

    [Fact]
    public async Task Cursor_paging_visits_every_paper_once_newest_listing_first_with_only_the_fields_asked()
    {
        var papers = await AllPagesAsync("/v1/papers?limit=5&fields=title,listedOn");

        Assert.Equal(12, papers.Count);
        Assert.Equal(12, Ids(papers).Distinct().Count());
        Assert.Equal(papers.Select(p => p.GetProperty("listedOn").GetString()).OrderDescending(StringComparer.Ordinal), papers.Select(p => p.GetProperty("listedOn").GetString()));
        Assert.All(papers, p => Assert.Equal(["id", "title", "listedOn"], p.EnumerateObject().Select(f => f.Name)));
    }

    [Fact]
    public async Task Filters_narrow_by_category_topic_author_and_publication_dates()
    {
        Assert.Equal(["2606.00009", "2606.00006", "2606.00000", "2606.00003"], Ids(await AllPagesAsync("/v1/papers?category=cs.CL&limit=2")));
        Assert.Equal(["2606.00008", "2606.00004", "2606.00000"], Ids(await AllPagesAsync("/v1/papers?topic=quantization&limit=2")));
        Assert.Equal(6, (await AllPagesAsync("/v1/papers?author=grace%20HOPPER&limit=4")).Count);
        Assert.Equal(["2606.00002", "2606.00001", "2606.00000"], Ids(await AllPagesAsync("/v1/papers?from=2026-06-06&to=2026-06-08")).Order().Reverse());
    }

    [Fact]
    public async Task A_batch_answers_each_id_in_order_with_null_for_unknown_ones_and_refuses_more_than_500()
    {
        using var ok = await _client.PostAsJsonAsync("/v1/papers/batch?fields=upvotes", new { ids = new[] { "2606.00003", "nope", "2606.00001" } });
        var data = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        Assert.Equal(3, data.GetArrayLength());
        Assert.Equal(3, data[0].GetProperty("upvotes").GetInt32());
        Assert.Equal(JsonValueKind.Null, data[1].ValueKind);
        Assert.Equal("2606.00001", data[2].GetProperty("id").GetString());

        using var tooMany = await _client.PostAsJsonAsync("/v1/papers/batch", new { ids = Enumerable.Range(0, 501).Select(i => $"2606.{i:00000}") });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("invalid_parameter", JsonDocument.Parse(await tooMany.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/v1/papers/nope", 404, "not_found")]
    [InlineData("/v1/papers?cursor=not-ours", 400, "invalid_cursor")]
    [InlineData("/v1/papers?fields=title,secret", 400, "unknown_field")]
    [InlineData("/v1/papers?limit=1000", 400, "invalid_parameter")]
    [InlineData("/v1/papers?category=cs.XYZ", 400, "invalid_parameter")]
    [InlineData("/v1/daily?week=2026-W99", 400, "invalid_parameter")]
    [InlineData("/v1/topics/nothing-has-this", 404, "not_found")]
    [InlineData("/api/papers/nope", 404, "not_found")]
    public async Task Every_error_is_a_problem_with_a_stable_code(string url, int status, string code)
    {
        using var response = await _client.GetAsync(url);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Reads_carry_an_etag_and_answer_304_while_nothing_changed()
    {
        using var first = await _client.GetAsync("/v1/papers/2606.00005");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.True(first.Headers.CacheControl?.Public);
        Assert.Equal(TimeSpan.FromSeconds(60), first.Headers.CacheControl?.MaxAge);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/v1/papers/2606.00005");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await _client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var other = new HttpRequestMessage(HttpMethod.Get, "/v1/papers/2606.00006");
        other.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(other)).StatusCode);
    }

    [Fact]
    public async Task The_daily_list_of_a_week_ranks_by_decayed_upvotes_and_pages_by_cursor()
    {
        var papers = await AllPagesAsync("/v1/daily?week=2026-W24&sort=trending&limit=5&fields=upvotes,listedOn");

        Assert.Equal(12, papers.Count);
        var asOf = Trending.AsOf(new DateOnly(2026, 6, 14), DateTimeOffset.UtcNow);
        var scores = papers.Select(p => Trending.Score(p.GetProperty("upvotes").GetInt32(), DateOnly.Parse(p.GetProperty("listedOn").GetString()!), asOf)).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Equal("2606.00011", papers[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Similar_papers_page_by_cursor_without_the_paper_itself()
    {
        // The search index loads the vectors in the background: wait for it.
        List<JsonElement> similar = [];
        for (var i = 0; i < 50 && similar.Count < 11; i++)
        {
            similar = await AllPagesAsync("/v1/papers/2606.00000/similar?limit=4");
            if (similar.Count < 11)
                await Task.Delay(200);
        }

        Assert.Equal(11, similar.Count);
        Assert.DoesNotContain("2606.00000", Ids(similar));
        Assert.Equal(11, Ids(similar).Distinct().Count());
        // Ranked by keywords and meaning fused, so not by similarity alone; each still says its similarity.
        Assert.All(similar, s => Assert.InRange(s.GetProperty("similarity").GetDouble(), -1, 1));
    }

    [Fact]
    public async Task Topics_list_with_counts_and_links()
    {
        var topics = await JsonAsync("/v1/topics");
        var byId = topics.GetProperty("data").EnumerateArray().ToDictionary(t => t.GetProperty("id").GetString()!);

        Assert.Equal(8, byId["cs.LG"].GetProperty("papers").GetInt32());
        Assert.Equal(3, byId["quantization"].GetProperty("papers").GetInt32());
        Assert.True(byId["cs.CL"].GetProperty("isArxivCategory").GetBoolean());
        Assert.EndsWith("/topics/cs.CL?format=atom", byId["cs.CL"].GetProperty("links").GetProperty("atom").GetString());
    }
}
