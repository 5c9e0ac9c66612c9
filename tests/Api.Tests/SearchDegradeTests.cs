using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Papers.Api.Apis;
using Xunit.Abstractions;

namespace Papers.Api.Tests;

/// <summary>
/// Search when Enrichment (the query embedder) fails: the Api as its own host composes it, pointed
/// at a real HTTP server that accepts connections and never answers, or at an address where
/// nothing listens. It answers from keywords within the embedder's interactive budget (2 s) and
/// says so in <c>X-Search-Mode</c>; with an Enrichment that answers, the search is hybrid.
/// </summary>
public sealed class SearchDegradeTests(ITestOutputHelper output)
{
    /// <summary>
    /// The interactive budget is 2 s; the bound leaves room for a loaded CI machine while staying
    /// far below the standard 30 s timeout that made search fail before (the time is printed).
    /// </summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task With_an_Enrichment_that_accepts_and_never_answers_search_answers_from_keywords_within_the_budget()
    {
        await using var hung = await LocalServer.StartAsync(async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));

        var (mode, elapsed, ids) = await SearchAsync(hung.BaseUrl);

        Assert.Equal("keyword", mode);
        Assert.Equal("2501.00001", ids[0]);
        Assert.True(elapsed < Budget, $"search took {elapsed.TotalSeconds:0.00} s");
        Assert.True(hung.Requests >= 1, "the embedder was asked");
    }

    [Fact]
    public async Task With_nothing_listening_at_Enrichment_search_answers_from_keywords_at_once()
    {
        var (mode, elapsed, ids) = await SearchAsync(LocalServer.NothingListening());

        Assert.Equal("keyword", mode);
        Assert.Equal("2501.00001", ids[0]);
        Assert.True(elapsed < Budget, $"search took {elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task With_an_Enrichment_that_answers_search_is_hybrid()
    {
        await using var enrichment = await LocalServer.StartAsync(context =>
            context.Response.WriteAsJsonAsync(new { model = "test/onnx@1", vectors = new[] { new[] { 1f, 0f } } }));

        var (mode, _, ids) = await SearchAsync(enrichment.BaseUrl);

        Assert.Equal("hybrid", mode);
        Assert.Equal("2501.00001", ids[0]);
        Assert.Equal(1, enrichment.Requests);
    }

    [Theory]
    [InlineData(false, "InMemory")]
    [InlineData(true, "InMemory")]
    [InlineData(false, "Disk")]
    [InlineData(true, "Disk")]
    public async Task The_search_page_and_v1_search_degrade_and_say_so_as_the_json_search_does(bool enrichmentAnswers, string backend)
    {
        await using var enrichment = await LocalServer.StartAsync(context =>
            context.Response.WriteAsJsonAsync(new { model = "test/onnx@1", vectors = new[] { new[] { 1f, 0f } } }));
        var indexDirectory = Directory.CreateTempSubdirectory("papers-search-").FullName;
        // Declared before the host, so removed after it stops.
        using var removeIndex = new Removal(indexDirectory);
        using var api = new ApiHost(new Dictionary<string, string?>
        {
            ["Services:Enrichment"] = (enrichmentAnswers ? enrichment.BaseUrl : LocalServer.NothingListening()).ToString(),
            // The chart's default backend as well as the embedded default's.
            ["Search:Backend"] = backend,
            ["Search:IndexDirectory"] = indexDirectory,
        });
        await api.SeedAsync(("2501.00001", "Diffusion models beat GANs on image synthesis", "We show diffusion models reach better sample quality."),
            ("2501.00002", "Scaling laws for language models", "Loss falls as a power law of compute."));
        using var client = api.CreateClient();
        var expected = enrichmentAnswers ? "hybrid" : "keyword";

        using var page = await client.GetAsync("/search?q=diffusion+models");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(expected, page.Headers.GetValues(PapersApi.SearchModeHeader).Single());
        Assert.Contains("/papers/2501.00001", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var v1 = await client.GetAsync("/v1/search?q=diffusion+models");
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        Assert.Equal(expected, v1.Headers.GetValues(PapersApi.SearchModeHeader).Single());
        var first = (await v1.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("data")[0];
        Assert.Equal("2501.00001", first.GetProperty("id").GetString());
        Assert.True(enrichmentAnswers ? enrichment.Requests >= 1 : enrichment.Requests == 0, $"{enrichment.Requests} embedding requests");
    }

    private async Task<(string? Mode, TimeSpan Elapsed, List<string> Ids)> SearchAsync(Uri enrichment)
    {
        using var api = new ApiHost(new Dictionary<string, string?> { ["Services:Enrichment"] = enrichment.ToString() });
        await api.SeedAsync(("2501.00001", "Diffusion models beat GANs on image synthesis", "We show diffusion models reach better sample quality."),
            ("2501.00002", "Scaling laws for language models", "Loss falls as a power law of compute."));
        using var client = api.CreateClient();
        // A warm server (the read model's queries compiled), as a running replica is.
        (await client.GetAsync("/api/papers/2501.00001")).EnsureSuccessStatusCode();

        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("/api/papers/search?q=diffusion+models");
        clock.Stop();
        output.WriteLine($"search answered {(int)response.StatusCode} in {clock.Elapsed.TotalSeconds:0.000} s with Enrichment at {enrichment}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = await response.Content.ReadFromJsonAsync<List<Item>>();
        var mode = response.Headers.TryGetValues(PapersApi.SearchModeHeader, out var values) ? values.Single() : null;
        if (mode == "keyword")
            Assert.Contains(api.Logs.Lines, l => l.Message.StartsWith("Query embedding failed", StringComparison.Ordinal) && l.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        return (mode, clock.Elapsed, items!.Select(i => i.Paper.Id).ToList());
    }

    private sealed class Removal(string directory) : IDisposable
    {
        public void Dispose()
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { /* still held: left to the temp folder's cleanup */ }
        }
    }

    private sealed record Item(PaperRef Paper);

    private sealed record PaperRef(string Id);
}
