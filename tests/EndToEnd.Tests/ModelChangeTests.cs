using System.Net.Http.Json;
using Papers.Cluster.Tests.Infrastructure;
using Item = Papers.EndToEnd.Tests.LocalHostFixture.Item;

namespace Papers.EndToEnd.Tests;

/// <summary>
/// Issue 5's "a model change re-embeds through the pipeline": the embedded default is stopped and
/// started again on the same data with another embedding model (the shipped MiniLM's bytes as a
/// file, so it has another id); every stored paper is enriched again by it through the bus, and
/// semantic search and similar papers work on the new vectors.
/// </summary>
public sealed class ModelChangeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("papers-model-change-").FullName;

    [Fact]
    public async Task A_new_embedding_model_re_enriches_every_stored_paper_through_the_pipeline()
    {
        var data = Directory.CreateDirectory(Path.Combine(_folder, "data")).FullName;
        string shipped;
        await using (var before = new LocalHost(data))
        {
            before.StartServer();
            await before.WaitForSampleEnrichedAsync();
            using var client = before.CreateClient();
            var stats = await StatsAsync(client);
            shipped = stats.Reenrichment.EmbeddingModel!;
            Assert.StartsWith("all-MiniLM-L6-v2/onnx@", shipped);
            Assert.Equal(new Progress(shipped, 0, 0, 0), stats.Reenrichment);
        }

        await using var after = new LocalHost(data, new Dictionary<string, string?> { ["Embedding:ModelPath"] = ShippedModel.WriteCopy(_folder, "minilm-copy") });
        after.StartServer();
        using var http = after.CreateClient();
        var done = await Eventually.UntilAsync(() => StatsAsync(http),
            s => s.Reenrichment.EmbeddingModel?.StartsWith("minilm-copy/onnx@sha256:", StringComparison.Ordinal) == true && s.Reenrichment.OtherModel == 0,
            TimeSpan.FromMinutes(4), "every paper re-enriched by the new model");

        Assert.Equal(LocalHostFixture.SamplePapers, done.Papers);
        Assert.Equal(LocalHostFixture.SamplePapers, done.Enriched);
        Assert.Equal(new Progress(done.Reenrichment.EmbeddingModel, 0, 0, 0), done.Reenrichment);
        var items = (await http.GetFromJsonAsync<List<Item>>("/api/daily_papers?date=2025-11-07&limit=100"))!;
        Assert.All(items, i => Assert.True(i.Paper.Enriched && i.Paper.AiKeywords.Count >= 3, i.Paper.Id));

        // Query vectors now come from the new model too, and meet the papers' new vectors.
        var search = await http.GetFromJsonAsync<List<Item>>("/api/papers/search?q=" + Uri.EscapeDataString("storing network weights in fewer bits") + "&limit=5");
        Assert.Contains(search!, i => i.Similarity is > 0.3);
        var similar = await http.GetFromJsonAsync<List<Item>>($"/api/papers/{search![0].Paper.Id}/similar?limit=5");
        Assert.Equal(5, similar!.Count);
    }

    private static async Task<Stats> StatsAsync(HttpClient http) => (await http.GetFromJsonAsync<Stats>("/api/stats"))!;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { /* SQLite may still hold a file on some systems; the OS temp cleaner takes it */ }
    }

    private sealed record Stats(int Papers, int Enriched, int Indexed, Progress Reenrichment);

    private sealed record Progress(string? EmbeddingModel, int OtherModel, int InFlight, int GivenUp);
}
