using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Papers.Api.Recommendations;
using Papers.Enrichment.Embeddings;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Recommend.Lab;

/// <summary>A labelled paper of a listing day (the JSON Lines in <c>Readers/</c>, see SOURCES.md there).</summary>
internal sealed record ReaderPaper(string Id, string Title, string Summary, string[] Categories, string[]? Authors)
{
    /// <summary>What both methods read: arxiv-sanity's title, abstract and authors.</summary>
    public string Text => $"{Title}. {Summary} {string.Join(", ", Authors ?? [])}";

    /// <summary>What the platform embeds (Enrichment's consumer: title. abstract).</summary>
    public string EmbeddingText => string.IsNullOrWhiteSpace(Summary) ? Title : $"{Title}. {Summary}";
}

internal static class ReaderPapers
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static List<ReaderPaper> Read(string file) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Readers", file))
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<ReaderPaper>(l, Json)!)
            .DistinctBy(p => p.Id) // a crawl of several category lists holds a cross-listed paper twice
            .ToList();

    /// <summary>
    /// The papers as the recommender sees them, embedded by Enrichment's <see cref="OnnxEmbedder"/>
    /// (minutes on 2 cores); with <paramref name="cachePath"/>, vectors of this model are kept there by paper id.
    /// </summary>
    /// <remarks>Also the category descriptions, embedded as the tagger's training embeds them (queries), and the model's id.</remarks>
    public static Dictionary<string, RecommenderPaper> Embed(IReadOnlyList<ReaderPaper> papers, string? cachePath, out float[][] descriptions, out string modelId)
    {
        using var embedder = new OnnxEmbedder(Options.Create(new EmbeddingOptions()), NullLogger<OnnxEmbedder>.Instance);
        var cache = cachePath is not null && File.Exists(cachePath)
            ? JsonSerializer.Deserialize<Dictionary<string, float[]>>(File.ReadAllText(cachePath))!
            : [];
        var key = (ReaderPaper p) => embedder.ModelId + "/" + p.Id;
        var missing = papers.Where(p => !cache.ContainsKey(key(p))).ToList();
        if (missing.Count > 0)
        {
            Console.WriteLine($"Embedding {missing.Count} papers with {embedder.ModelId} ({papers.Count - missing.Count} cached)…");
            foreach (var chunk in missing.Chunk(64))
            {
                var vectors = embedder.Embed(chunk.Select(p => p.EmbeddingText).ToList());
                for (var i = 0; i < chunk.Length; i++)
                    cache[key(chunk[i])] = vectors[i];
            }
            if (cachePath is not null)
                File.WriteAllText(cachePath, JsonSerializer.Serialize(cache));
        }
        var categories = Categories.Predictable.Select(c => c.DescriptionText).ToList();
        var descriptionKey = embedder.ModelId + "/descriptions";
        if (!cache.TryGetValue(descriptionKey + "/0", out _))
        {
            var vectors = embedder.Embed(categories, EmbeddingRole.Query);
            for (var i = 0; i < vectors.Length; i++)
                cache[$"{descriptionKey}/{i}"] = vectors[i];
            if (cachePath is not null)
                File.WriteAllText(cachePath, JsonSerializer.Serialize(cache));
        }
        descriptions = categories.Select((_, i) => cache[$"{descriptionKey}/{i}"]).ToArray();
        modelId = embedder.ModelId;
        return papers.DistinctBy(p => p.Id).ToDictionary(p => p.Id, p => new RecommenderPaper(p.Id, p.Text, cache[key(p)]));
    }
}
