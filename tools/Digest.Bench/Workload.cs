using System.Numerics.Tensors;
using System.Text.Json;
using Papers.Contracts;
using Papers.Domain;
using Papers.Notifications.Data;

namespace Papers.Digest.Bench;

/// <summary>
/// One day of papers and a population of subscribers, drawn from real arXiv listings (titles,
/// abstracts, authors, categories of the cs.CV/CL/AI "new" pages in ../shared/data/labeled).
/// A day is made as big as asked by repeating the real papers under new ids. Embeddings are
/// synthetic (no model in the bench): a unit vector near the centroid of the paper's primary
/// category, so papers of one category are alike, as real embeddings make them.
/// </summary>
internal sealed class Workload
{
    private const int Dimensions = 384;

    public required List<CandidatePaper> Papers { get; init; }
    public required List<Subscriber> Subscribers { get; init; }

    private sealed record Listed(string Id, string[] Categories, string[] Authors, string Title, string Summary);

    public static Workload Create(string labeledFolder, int papers, int subscribers, DateTime day, int seed = 13)
    {
        var random = new Random(seed);
        var listed = Directory.GetFiles(labeledFolder, "arxiv-cs-listing-*.jsonl").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<Listed>(l, JsonSerializerOptions.Web)!)
            .Where(p => p.Categories.Length > 0 && p.Authors.Length > 0).DistinctBy(p => p.Id).ToList();
        if (listed.Count == 0)
            throw new InvalidOperationException($"No arXiv cs listings (arxiv-cs-listing-*.jsonl) in {labeledFolder}.");
        var centroids = listed.SelectMany(p => p.Categories).Distinct().ToDictionary(c => c, _ => Unit(random, null, 0));
        var candidates = Enumerable.Range(0, papers).Select(i =>
        {
            var p = listed[i % listed.Count];
            return new CandidatePaper
            {
                PaperId = i < listed.Count ? p.Id : $"{p.Id}.{i / listed.Count}",
                Version = 1,
                Title = p.Title,
                Abstract = p.Summary,
                Authors = [.. p.Authors],
                ContentHash = "h",
                EnrichedHash = "h",
                EnrichedVersion = 1,
                Embedding = Unit(random, centroids[p.Categories[0]], 0.5f),
                EmbeddingModel = "bench/synthetic@1",
                Tags = [.. p.Categories.Select((c, j) => new TopicTag(c, c, j == 0 ? 0.9 : 0.5))],
                Upvotes = random.Next(0, 3) == 0 ? random.Next(1, 60) : 0,
                ArrivedAt = day.AddMinutes(random.Next(0, 24 * 60)),
            };
        }).ToList();

        // Profiles as people pick them: popular categories more often, authors and keywords of real papers.
        // Categories the taxonomy knows (others would be followed as free text, which needs the embedding model).
        var categories = listed.SelectMany(p => p.Categories).Where(ArxivTaxonomy.IsCategory).ToList();
        var authors = listed.SelectMany(p => p.Authors).ToList();
        var words = listed.SelectMany(p => p.Title.Split([' ', ':', ',', '-', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length >= 7 && w.All(char.IsLetter)).Select(w => w.ToLowerInvariant()).ToList();
        var people = Enumerable.Range(0, subscribers).Select(i => new Subscriber
        {
            Id = Guid.NewGuid(),
            Email = $"bench{i}@example.org",
            UnsubscribeToken = $"bench-{i}",
            Active = true,
            ConfirmedAt = day.AddDays(-30),
            CreatedAt = day.AddDays(-30),
            LastDigestAt = day,
            Kind = random.Next(10) == 0 ? DigestKind.Trending : DigestKind.Personal,
            Topics = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => categories[random.Next(categories.Count)]).Distinct()],
            Authors = [.. Enumerable.Range(0, random.Next(0, 3)).Select(_ => authors[random.Next(authors.Count)]).Distinct()],
            Keywords = [.. Enumerable.Range(0, random.Next(0, 3)).Select(_ => words[random.Next(words.Count)]).Distinct()],
            Seeds = random.Next(3) == 0 ? [candidates[random.Next(candidates.Count)].PaperId] : [],
        }).ToList();
        return new Workload { Papers = candidates, Subscribers = people };
    }

    private static float[] Unit(Random random, float[]? around, float spread)
    {
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++)
            v[i] = (float)(random.NextDouble() * 2 - 1) * (around is null ? 1 : spread) + (around?[i] ?? 0);
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }
}
