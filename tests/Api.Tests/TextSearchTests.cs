using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Papers.Api.Apis;
using Papers.Api.Data;
using Papers.Api.Search;
using Papers.ServiceDefaults.Embeddings;
using Papers.TestSupport;

namespace Papers.Api.Tests;

/// <summary>
/// "Paste an abstract": <c>POST /api/papers/search</c> and <c>POST /api/papers/similar</c> take up
/// to 10,000 characters, say which signal matched each paper, refuse anything else with problem
/// details naming the field, and count against the stricter text-search rate limit. The Api runs
/// as its own host; Enrichment is a real HTTP server answering <c>/embed</c> with a fixed vector.
/// </summary>
public sealed class TextSearchTests : IAsyncLifetime
{
    private const string Model = "test/onnx@1";
    private LocalServer _enrichment = null!;
    private readonly List<string> _embedded = [];

    public async Task InitializeAsync() => _enrichment = await LocalServer.StartAsync(async context =>
    {
        var request = await context.Request.ReadFromJsonAsync<JsonElement>();
        lock (_embedded)
            _embedded.AddRange(request.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!));
        await context.Response.WriteAsJsonAsync(new { model = Model, vectors = new[] { new[] { 1f, 0f } } });
    });

    public async Task DisposeAsync() => await _enrichment.DisposeAsync();

    private static string Pasted(int length)
    {
        var text = new StringBuilder("Diffusion models for image synthesis, compared with GANs. ");
        while (text.Length < length)
            text.Append("We study sample quality and training stability across many settings. ");
        return text.ToString(0, length);
    }

    private async Task<ApiHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var api = new ApiHost(new Dictionary<string, string?>(settings ?? []) { ["Services:Enrichment"] = _enrichment.BaseUrl.ToString() });
        await api.SeedAsync(("2501.00001", "Diffusion models beat GANs on image synthesis", "We show diffusion models reach better sample quality."),
            ("2501.00002", "Power laws of compute", "Loss falls as compute grows."),
            ("2501.00003", "Protein structure from sequence", "A network predicts folds."));
        // Two papers near the query's vector, one far from it; the third shares no words with the text.
        await api.SeedRowsAsync(
            Enrichment("2501.00001", [1f, 0f]), Enrichment("2501.00003", [0.9f, 0.436f]), Enrichment("2501.00002", [0f, 1f]));
        var index = api.Services.GetRequiredService<ISearchIndex>();
        await Eventually.UntilAsync(() => Task.FromResult(index.Search("", [0f, 1f], Model, 5).Count), found => found > 0, TimeSpan.FromSeconds(20), "the index to load the vectors");
        // Warm the Api's embedding client (its connection, the JIT) so no test judges a cold first
        // call: on a loaded CI machine one overran the 2 s interactive budget, and the search
        // rightly answered "keyword". The warm-up's own text is then forgotten.
        var embedder = api.Services.GetRequiredService<ITextEmbedder>();
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                return (await embedder.EmbedAsync(["warm-up"], CancellationToken.None)).Length == 1;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return false; // over budget while cold: try again
            }
        }, TimeSpan.FromSeconds(60), "the Api's embedding client to answer");
        lock (_embedded)
            _embedded.Clear();
        return api;
    }

    private static EnrichmentRecord Enrichment(string id, float[] vector) => new()
    {
        PaperId = id,
        Version = 1,
        ContentHash = "h-" + id,
        Embedding = vector,
        EmbeddingModel = Model,
        UpdatedAt = DateTime.UtcNow,
    };

    [Theory]
    [InlineData("/api/papers/search", "q")]
    [InlineData("/api/papers/similar", "text")]
    public async Task A_pasted_abstract_finds_papers_and_says_which_signal_matched_each(string path, string field)
    {
        using var api = await StartAsync();
        using var client = api.CreateClient();
        var text = Pasted(PapersApi.MaxPastedLength);

        using var response = await client.PostAsJsonAsync(path, new Dictionary<string, object> { [field] = text, ["limit"] = 5 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hybrid", response.Headers.GetValues(PapersApi.SearchModeHeader).Single());
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()
            .ToDictionary(i => i.GetProperty("paper").GetProperty("id").GetString()!, i => i.GetProperty("matchedBy").GetString());
        Assert.Equal("keyword+semantic", items["2501.00001"]);
        Assert.Equal("semantic", items["2501.00003"]);
        Assert.DoesNotContain("2501.00002", items.Keys);
        // The whole text went to the model (which reads its first 256 tokens).
        lock (_embedded)
            Assert.Contains(text, _embedded);
    }

    [Theory]
    [InlineData("/api/papers/search", "q")]
    [InlineData("/api/papers/similar", "text")]
    public async Task Texts_too_long_blank_or_missing_and_bad_limits_are_refused_naming_the_field(string path, string field)
    {
        using var api = await StartAsync();
        using var client = api.CreateClient();

        var tooLong = await ProblemAsync(await client.PostAsJsonAsync(path, new Dictionary<string, object> { [field] = Pasted(PapersApi.MaxPastedLength + 1) }), HttpStatusCode.BadRequest);
        Assert.Contains("10000", Error(tooLong, field));
        Assert.Contains("10001", Error(tooLong, field));

        var blank = await ProblemAsync(await client.PostAsJsonAsync(path, new Dictionary<string, object> { [field] = "   " }), HttpStatusCode.BadRequest);
        Assert.Contains("required", Error(blank, field));
        var missing = await ProblemAsync(await client.PostAsJsonAsync(path, new Dictionary<string, object> { ["limit"] = 3 }), HttpStatusCode.BadRequest);
        Assert.Contains("required", Error(missing, field));

        var limit = await ProblemAsync(await client.PostAsJsonAsync(path, new Dictionary<string, object> { [field] = "diffusion", ["limit"] = 0 }), HttpStatusCode.BadRequest);
        Assert.Contains("got 0", Error(limit, "limit"));
        lock (_embedded)
            Assert.Empty(_embedded);
    }

    [Theory]
    [InlineData("/api/papers/search")]
    [InlineData("/api/papers/similar")]
    public async Task Bodies_that_are_not_a_JSON_object_are_refused_with_problem_details(string path)
    {
        using var api = await StartAsync();
        using var client = api.CreateClient();

        using var plain = new StringContent("diffusion models", Encoding.UTF8, "text/plain");
        var wrongType = await ProblemAsync(await client.PostAsync(path, plain), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("text/plain", wrongType.GetProperty("detail").GetString());

        using var form = new FormUrlEncodedContent([new("q", "diffusion"), new("text", "diffusion")]);
        var formType = await ProblemAsync(await client.PostAsync(path, form), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/x-www-form-urlencoded", formType.GetProperty("detail").GetString());

        using var broken = new StringContent("{\"q\": \"diffusion", Encoding.UTF8, "application/json");
        var malformed = await ProblemAsync(await client.PostAsync(path, broken), HttpStatusCode.BadRequest);
        Assert.Equal("Malformed JSON", malformed.GetProperty("title").GetString());

        using var wrongShape = new StringContent("{\"limit\": \"ten\"}", Encoding.UTF8, "application/json");
        var shape = await ProblemAsync(await client.PostAsync(path, wrongShape), HttpStatusCode.BadRequest);
        Assert.Contains("$.limit", shape.GetProperty("detail").GetString());

        using var nothing = new StringContent("null", Encoding.UTF8, "application/json");
        await ProblemAsync(await client.PostAsync(path, nothing), HttpStatusCode.BadRequest);
        lock (_embedded)
            Assert.Empty(_embedded);
    }

    [Fact]
    public async Task Pasted_text_searches_have_their_own_stricter_limit_and_leave_typed_searches_alone()
    {
        using var api = await StartAsync(new()
        {
            ["RateLimits:Enabled"] = "true",
            ["RateLimits:AnonymousTextSearchesPerMinute"] = "2",
            ["RateLimits:AnonymousSearchesPerMinute"] = "60",
        });
        using var client = api.CreateClient();
        var body = new { q = Pasted(2_000) };

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/papers/search", body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/papers/similar", new { text = body.q })).StatusCode);
        using var refused = await client.PostAsJsonAsync("/api/papers/search", body);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null, "429 says when to retry");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/papers/search?q=diffusion")).StatusCode);
    }

    [Fact]
    public async Task The_v1_search_and_the_search_page_take_10000_characters_of_abstract_and_refuse_10001_naming_the_field()
    {
        using var api = await StartAsync();
        using var client = api.CreateClient();

        using var v1 = await client.PostAsJsonAsync("/v1/search", new { @abstract = Pasted(PapersApi.MaxPastedLength), limit = 5 });
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        var found = (await v1.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal("keyword+semantic", found.Single(p => p.GetProperty("id").GetString() == "2501.00001").GetProperty("match").GetProperty("by").GetString());
        var tooLong = await ProblemAsync(await client.PostAsJsonAsync("/v1/search", new { @abstract = Pasted(PapersApi.MaxPastedLength + 1) }), HttpStatusCode.BadRequest);
        Assert.Contains("10001", Error(tooLong, "abstract"));
        var notJson = await ProblemAsync(await client.PostAsync("/v1/search", new FormUrlEncodedContent([new("abstract", "diffusion")])), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/x-www-form-urlencoded", notJson.GetProperty("detail").GetString());
        // Past the old cap of 2,000 in the URL as well (a URL carries about 8 KB through servers and proxies).
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/search?abstract=" + Uri.EscapeDataString(Pasted(3_000)))).StatusCode);

        using var page = await client.PostAsync("/search", new FormUrlEncodedContent([new("abstract", Pasted(PapersApi.MaxPastedLength))]));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Diffusion models beat GANs on image synthesis", html);
        // No link carries the pasted text: its later pages and feeds would pass what a URL can hold.
        Assert.DoesNotContain("abstract=Diffusion", html);
        Assert.DoesNotContain("application/rss+xml", html);
        // A short abstract keeps its feed.
        using var shortPage = await client.PostAsync("/search", new FormUrlEncodedContent([new("abstract", Pasted(300))]));
        Assert.Contains("abstract=Diffusion", await shortPage.Content.ReadAsStringAsync());
        using var refusedPage = await client.PostAsync("/search", new FormUrlEncodedContent([new("abstract", Pasted(PapersApi.MaxPastedLength + 1))]));
        Assert.Equal(HttpStatusCode.BadRequest, refusedPage.StatusCode);
        Assert.Contains("The abstract may have at most 10000 characters; it has 10001.", await refusedPage.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Abstracts_on_the_page_and_v1_count_as_text_searches_and_typed_queries_do_not()
    {
        using var api = await StartAsync(new()
        {
            ["RateLimits:Enabled"] = "true",
            ["RateLimits:AnonymousTextSearchesPerMinute"] = "3",
            ["RateLimits:AnonymousSearchesPerMinute"] = "60",
        });
        using var client = api.CreateClient();
        var text = Pasted(2_000);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/search", new { @abstract = text })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/search", new FormUrlEncodedContent([new("abstract", text)]))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/search?abstract=" + Uri.EscapeDataString(text))).StatusCode);
        using var refused = await client.GetAsync("/v1/search?abstract=" + Uri.EscapeDataString(text));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null, "429 says when to retry");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/search?q=diffusion")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/search?q=diffusion")).StatusCode);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            Assert.Equal(expected, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
    }

    private static string Error(JsonElement problem, string field) =>
        problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
}
