using Papers.Api.Data;
using Papers.Contracts;

namespace Papers.Api.Tests.Web;

/// <summary>Read-model rows as the consumers write them, for tests that seed an Api host.</summary>
public static class Seed
{
    public static PaperRecord Paper(string id, DateOnly listedOn, string title = "A paper", string[]? authors = null,
        DateOnly? publishedOn = null, int upvotes = 0, string source = "arxiv-oai", string? submittedBy = null, string[]? categories = null) => new()
        {
            PaperId = id,
            Version = 1,
            Title = title,
            Abstract = $"The abstract of {title}.",
            Authors = [.. (authors ?? ["Ada Lovelace", "Alan Turing"]).Select(a => new PaperAuthor(a))],
            PrimaryCategory = categories?.FirstOrDefault(),
            Categories = [.. categories ?? []],
            PublishedOn = publishedOn ?? listedOn.AddDays(-3),
            ListedOn = listedOn,
            Source = source,
            SubmittedBy = submittedBy,
            SourceUpvotes = upvotes,
            ContentHash = "hash-" + id,
            IngestedAt = new DateTimeOffset(listedOn.ToDateTime(new TimeOnly(6, 0)), TimeSpan.Zero),
            UpdatedAt = DateTime.UtcNow,
        };

    public static EnrichmentRecord Enrichment(string id, params string[] topics) => new()
    {
        PaperId = id,
        Version = 1,
        ContentHash = "hash-" + id,
        Embedding = Vector(id),
        EmbeddingModel = "test-model",
        Tags = [.. topics.Select((t, i) => new TopicTag(t, t + " (name)", Math.Round(0.9 - 0.1 * i, 2)))],
        Keywords = ["first keyword", "second keyword", "third keyword"],
        EnrichedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTime.UtcNow,
    };

    /// <summary>A unit vector that depends only on the id.</summary>
    public static float[] Vector(string id)
    {
        var random = new Random(StringComparer.Ordinal.GetHashCode(id) & 0x7fffffff);
        var v = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }
}
