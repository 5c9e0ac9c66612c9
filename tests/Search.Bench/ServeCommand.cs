using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Api.Search;
using Papers.Enrichment.Embeddings;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Search.Bench;

/// <summary>What a serving process reports once it answers: how long each start-up step took and its memory.</summary>
public sealed record Ready(int Papers, double ModelLoadMs, double IndexOpenMs, double FirstSearchMs, Memory AfterModel, Memory AfterIndex);

/// <summary>What a serving process reports after the load: its memory and the index's own estimate of its native part.</summary>
public sealed record ServerStats(Memory Memory, double GcHeapMb, double GcCommittedMb, double VectorIndexMb);

/// <summary>
/// <c>serve</c>: one process holding one index, as an Api replica would, answering
/// <c>GET /search?k=&amp;q=</c> like the Api's search endpoint (query embedded in-process with
/// MiniLM through the micro-batcher, as in the embedded default, then hybrid search, limit 20),
/// <c>/search-vector</c> (the query's precomputed vector: the index alone), <c>/embed-only</c>
/// (the query embedding alone),
/// <c>/search-http</c> (the query embedded through <c>POST /embed</c> over loopback HTTP with the
/// services' own <see cref="HttpTextEmbedder"/>, as an Api in a cluster does), and <c>/stats</c>.
/// Prints <c>READY {json}</c> once it answers.
/// </summary>
public static class ServeCommand
{
    public const int Limit = 20;

    public static async Task<int> RunAsync(Args args)
    {
        var backend = Enum.Parse<SearchBackend>(args.String("backend") ?? "Disk");
        var port = args.Int("port", 5199);
        var workspace = new Workspace(args.Required("work"), Repository.Root());

        var (queries, queryVectors) = workspace.Queries(workspace.Corpus(null), null);
        // As a service binds it: Embedding__* environment variables tune ONNX Runtime (services/Enrichment/README.md).
        var options = new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection(EmbeddingOptions.Section).Get<EmbeddingOptions>() ?? new();
        var watch = Stopwatch.StartNew();
        using var model = Workspace.CreateEmbedder(options);
        using var batcher = new EmbeddingBatcher(model, options);
        await batcher.EmbedAsync(["warm up"], default);
        var modelLoad = watch.Elapsed.TotalMilliseconds;
        var afterModel = Memory.Of();

        watch.Restart();
        ISearchIndex index;
        if (backend == SearchBackend.Disk)
        {
            index = new DiskSearchIndex(new SearchOptions { Backend = SearchBackend.Disk, IndexDirectory = args.Required("index") },
                NullLogger.Instance, TimeProvider.System);
        }
        else
        {
            var papers = args.Int("papers", 100_000);
            var corpus = workspace.Corpus(null);
            index = new SearchIndex();
            for (var start = 0; start < papers; start += 10_000)
            {
                var batch = new IndexedPaper[Math.Min(10_000, papers - start)];
                Parallel.For(0, batch.Length, i => batch[i] = corpus.Paper(start + i));
                index.Upsert(batch);
            }
        }
        var indexOpen = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        index.Search(queries[0], queryVectors[0], model.ModelId, Limit);
        var firstSearch = watch.Elapsed.TotalMilliseconds;
        var afterIndex = Memory.Of();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var httpEmbedder = new HttpTextEmbedder(http);

        app.MapGet("/search", async (string q, CancellationToken ct) =>
            Results.Json(index.Search(q, (await batcher.EmbedAsync([q], ct))[0], model.ModelId, Limit)));
        app.MapGet("/search-vector", (int k, string q) => Results.Json(index.Search(q, queryVectors[k], model.ModelId, Limit)));
        app.MapGet("/search-http", async (string q, CancellationToken ct) =>
            Results.Json(index.Search(q, (await httpEmbedder.EmbedAsync([q], ct))[0], httpEmbedder.ModelId, Limit)));
        app.MapGet("/embed-only", async (string q, CancellationToken ct) => Results.Json((await batcher.EmbedAsync([q], ct))[0].Length));
        app.MapPost("/embed", async (EmbedRequest request, CancellationToken ct) =>
            Results.Json(new EmbedResponse(batcher.ModelId, await batcher.EmbedAsync(request.Texts, ct))));
        app.MapGet("/stats", () =>
        {
            var gc = GC.GetGCMemoryInfo();
            var vectors = index is DiskSearchIndex disk ? disk.Vectors.Values.Sum(v => v.MemoryBytes) : 0;
            return Results.Json(new ServerStats(Memory.Of(), gc.HeapSizeBytes / 1048576.0, gc.TotalCommittedBytes / 1048576.0, vectors / 1048576.0));
        });

        await app.StartAsync();
        Console.WriteLine("READY " + JsonSerializer.Serialize(new Ready(index.Count, modelLoad, indexOpen, firstSearch, afterModel, afterIndex)));
        await app.WaitForShutdownAsync();
        (index as IDisposable)?.Dispose();
        return 0;
    }
}
