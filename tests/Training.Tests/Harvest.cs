using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Enrichment.Embeddings;
using Papers.Training.Learning;

namespace Papers.Training.Tests;

/// <summary>The test harvest: real cs listings of two days (Fixtures/), as labelled examples.</summary>
public static class Harvest
{
    public static readonly DateOnly Older = new(2025, 3, 18), Newer = new(2025, 10, 17);

    public static readonly (string File, DateOnly ListedOn)[] Files =
        [("Fixtures/arxiv-cs-2025-03-18-head120.jsonl", Older), ("Fixtures/arxiv-cs-2025-10-17-head80.jsonl", Newer)];

    public sealed record Example(LabelledPaper Paper, float[] Vector, DateOnly ListedOn);

    public static List<(LabelledPaper Paper, DateOnly ListedOn)> Read() =>
        Files.SelectMany(f => File.ReadLines(Path.Combine(AppContext.BaseDirectory, f.File)).Select(l =>
        {
            var line = JsonSerializer.Deserialize<Line>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            return (new LabelledPaper(line.Id, line.Title, line.Summary, line.Categories), f.ListedOn);
        })).ToList();

    /// <summary>The same papers and vectors, each with another paper's categories (a derangement would be stricter; a seeded shuffle is enough at 200 papers).</summary>
    public static List<Example> Shuffled(IReadOnlyList<Example> examples, int seed)
    {
        var labels = examples.Select(e => e.Paper.Categories).ToArray();
        new Random(seed).Shuffle(labels);
        return examples.Select((e, i) => e with { Paper = e.Paper with { Categories = labels[i] } }).ToList();
    }

    private sealed record Line(string Id, string Title, string Summary, List<string> Categories);
}

/// <summary>The real embedding model, loaded once for the test run, and the harvest embedded by it once.</summary>
public sealed class EmbedderFixture : IDisposable
{
    private List<Harvest.Example>? _harvest;

    public OnnxEmbedder Embedder { get; } = new(new EmbeddingOptions { BatchSize = 16 }, NullLogger.Instance, EmbeddingModelFiles.MiniLm);

    public async Task<List<Harvest.Example>> HarvestAsync()
    {
        if (_harvest is not null)
            return _harvest;
        var papers = Harvest.Read();
        var vectors = await Embedder.EmbedAsync(papers.Select(p => p.Paper.Text).ToList(), default);
        return _harvest = papers.Select((p, i) => new Harvest.Example(p.Paper, vectors[i], p.ListedOn)).ToList();
    }

    public void Dispose() => Embedder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ModelCollection : ICollectionFixture<EmbedderFixture>
{
    public const string Name = "model";
}
