using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Papers.Enrichment.Consumers;
using Papers.Enrichment.Embeddings;

namespace Papers.Search.Bench;

/// <summary>
/// The bench's working folder: the real papers' MiniLM vectors and the query strings with their
/// vectors (computed once, then read back), the indexes it builds, and each run's results.
/// </summary>
public sealed class Workspace(string root, string repositoryRoot)
{
    public const int QueryCount = 4_000;

    public string Root { get; } = Directory.CreateDirectory(root).FullName;

    public string RepositoryRoot { get; } = repositoryRoot;

    public string QueriesFile => Path.Combine(Root, "queries.tsv");

    public string WrkScriptFile => Path.Combine(Root, "queries.lua");

    public string ResultsDirectory => Directory.CreateDirectory(Path.Combine(Root, "results")).FullName;

    public string IndexDirectory(int papers, string quantization) => Path.Combine(Root, $"index-{papers}-{quantization}");

    public static OnnxEmbedder CreateEmbedder(EmbeddingOptions? options = null)
    {
        options ??= new EmbeddingOptions();
        options.ExecutionProvider = ExecutionProvider.Cpu;
        return new OnnxEmbedder(Options.Create(options), NullLogger<OnnxEmbedder>.Instance);
    }

    /// <summary>The corpus recipe: real papers and their vectors (embedded now if not cached for this model).</summary>
    public Corpus Corpus(OnnxEmbedder? embedder)
    {
        var real = Search.Bench.Corpus.LoadReal(RepositoryRoot);
        var cache = Path.Combine(Root, "real-vectors.json");
        if (File.Exists(cache) && JsonSerializer.Deserialize<Cached>(File.ReadAllText(cache)) is { } cached && cached.Vectors.Length == real.Length
            && (embedder is null || cached.Model == embedder.ModelId))
            return new Corpus(real, cached.Vectors, cached.Model);
        if (embedder is null)
            throw new InvalidOperationException($"{cache} is missing: run the bench's run command first.");
        var watch = Stopwatch.StartNew();
        var vectors = embedder.Embed(real.Select(p => EnrichPaperConsumer.ModelText(p.Title, p.Summary)).ToList());
        Console.WriteLine($"embedded the {real.Length} real abstracts with {embedder.ModelId} in {watch.Elapsed.TotalSeconds:F1} s");
        File.WriteAllText(cache, JsonSerializer.Serialize(new Cached(embedder.ModelId, vectors)));
        return new Corpus(real, vectors, embedder.ModelId);
    }

    /// <summary>The query strings (wrk file: number, tab, URL-encoded query) and their vectors, in the same order.</summary>
    public (List<string> Queries, float[][] Vectors) Queries(Corpus corpus, OnnxEmbedder? embedder)
    {
        var cache = Path.Combine(Root, "query-vectors.json");
        if (File.Exists(cache) && JsonSerializer.Deserialize<CachedQueries>(File.ReadAllText(cache)) is { } cached && cached.Model == corpus.Model)
            return (cached.Queries, cached.Vectors);
        if (embedder is null)
            throw new InvalidOperationException($"{cache} is missing: run the bench's run command first.");
        var queries = Search.Bench.Corpus.Queries(corpus.Real.ToArray(), QueryCount);
        var watch = Stopwatch.StartNew();
        var vectors = embedder.Embed(queries);
        Console.WriteLine($"embedded {queries.Count} distinct queries in {watch.Elapsed.TotalSeconds:F1} s");
        File.WriteAllText(cache, JsonSerializer.Serialize(new CachedQueries(corpus.Model, queries, vectors)));
        File.WriteAllLines(QueriesFile, queries.Select((q, i) => $"{i}\t{Uri.EscapeDataString(q)}"));
        File.WriteAllText(WrkScriptFile, Measure.WrkScript);
        return (queries, vectors);
    }

    private sealed record Cached(string Model, float[][] Vectors);

    private sealed record CachedQueries(string Model, List<string> Queries, float[][] Vectors);
}
