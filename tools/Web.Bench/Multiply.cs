using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;
using Papers.Contracts;

namespace Papers.Web.Bench;

/// <summary>
/// Writes <c>count</c> papers straight into the Api's SQLite read model, each a variation of a real,
/// enriched paper already there: its title and categories, sentences of two real abstracts, authors
/// from a pool built out of real names, 1,000 papers a listing day, a skewed share of upvotes, and
/// its real vector plus Gaussian noise (σ 0.03 a dimension, renormalised: cosine ≈ 0.86 to its
/// original), tags and keywords kept. Then writes the ids, queries and the busiest day for wrk.
/// </summary>
internal static class Multiply
{
    private const int PerDay = 1_000, Batch = 2_000;

    public static async Task<int> RunAsync(string data, int count, string output)
    {
        var options = new DbContextOptionsBuilder<ApiDbContext>().UseSqlite($"Data Source={Path.Combine(data, "api.db")}").Options;
        await using var db = new ApiDbContext(options);
        var papers = await db.Papers.AsNoTracking().Where(p => p.Source != "submission").ToListAsync();
        var enrichments = await db.Enrichments.AsNoTracking().ToDictionaryAsync(e => e.PaperId);
        var bases = papers.Where(p => enrichments.TryGetValue(p.PaperId, out var e) && e.ContentHash == p.ContentHash)
            .Select(p => (Paper: p, Enrichment: enrichments[p.PaperId])).ToList();
        if (bases.Count == 0)
        {
            Console.Error.WriteLine($"No enriched papers in {data}/api.db to vary: run the seed step first.");
            return 1;
        }
        var random = new Random(42);
        var names = bases.SelectMany(b => b.Paper.Authors.Select(a => a.Name.Split(' '))).Where(n => n.Length >= 2).ToList();
        var first = names.Select(n => n[0]).Distinct().ToArray();
        var last = names.Select(n => n[^1]).Distinct().ToArray();
        var pool = Enumerable.Range(0, Math.Max(1_000, count / 5)).Select(_ => $"{first[random.Next(first.Length)]} {last[random.Next(last.Length)]}").Distinct().ToArray();
        var sentences = bases.Select(b => b.Paper.Abstract.Split(". ", StringSplitOptions.RemoveEmptyEntries)).ToArray();
        var lastDay = new DateOnly(2026, 6, 30);
        var now = DateTime.UtcNow;
        var ids = new List<string>();
        Console.WriteLine($"Varying {bases.Count} enriched papers into {count:N0} more ({pool.Length:N0} author names)");

        for (var start = 0; start < count; start += Batch)
        {
            db.ChangeTracker.Clear();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(count, start + Batch); i++)
            {
                var k = random.Next(bases.Count);
                var (paper, enrichment) = bases[k];
                var own = sentences[k];
                var other = sentences[random.Next(sentences.Length)];
                var listedOn = lastDay.AddDays(-(i / PerDay));
                // yyMM.NNNNN, unique: a listing day's thousand papers get their own block of the month's
                // numbers, from 60001 up (above the real papers' numbers of those months).
                var id = string.Create(CultureInfo.InvariantCulture, $"{listedOn:yyMM}.{60_001 + (listedOn.Day - 1) * PerDay + i % PerDay:00000}");
                var hash = $"bench-{i}";
                db.Papers.Add(new PaperRecord
                {
                    PaperId = id,
                    Version = 1 + random.Next(3),
                    Title = paper.Title,
                    Abstract = string.Join(". ", own.Take(Math.Max(1, own.Length / 2)).Concat(other.Skip(other.Length / 2))),
                    Authors = [.. Enumerable.Range(0, 1 + random.Next(8)).Select(_ => new PaperAuthor(pool[random.Next(pool.Length)]))],
                    PrimaryCategory = paper.PrimaryCategory,
                    Categories = paper.Categories,
                    PublishedOn = listedOn.AddDays(-random.Next(30)),
                    ListedOn = listedOn,
                    Source = "arxiv-oai",
                    SourceUpvotes = (int)(Math.Pow(random.NextDouble(), 6) * 300),
                    ContentHash = hash,
                    IngestedAt = new DateTimeOffset(listedOn.ToDateTime(new TimeOnly(6, 0)), TimeSpan.Zero),
                    UpdatedAt = now,
                });
                db.Enrichments.Add(new EnrichmentRecord
                {
                    PaperId = id,
                    Version = 1,
                    ContentHash = hash,
                    Embedding = Perturb(enrichment.Embedding, random),
                    EmbeddingModel = enrichment.EmbeddingModel,
                    Tags = enrichment.Tags,
                    PredictedPrimaryCategory = enrichment.PredictedPrimaryCategory,
                    Keywords = enrichment.Keywords,
                    EnrichedAt = now,
                    UpdatedAt = now,
                });
                if (i % 20 == 0)
                    ids.Add(id);
            }
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync();
            Console.Write($"\r{Math.Min(count, start + Batch):N0} papers written");
        }
        Console.WriteLine();

        Directory.CreateDirectory(output);
        await File.WriteAllLinesAsync(Path.Combine(output, "ids.txt"), ids.OrderBy(_ => random.Next()));
        await File.WriteAllLinesAsync(Path.Combine(output, "queries.txt"), Queries(bases.Select(b => b.Paper.Title), bases.SelectMany(b => b.Enrichment.Keywords), random)
            .Select(Uri.EscapeDataString));
        await File.WriteAllTextAsync(Path.Combine(output, "day.txt"), lastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>Distinct queries as readers type them: keyphrases, title beginnings, and pairs of keyphrases.</summary>
    private static IEnumerable<string> Queries(IEnumerable<string> titles, IEnumerable<string> keywords, Random random)
    {
        var phrases = keywords.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var starts = titles.Select(t => string.Join(' ', t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3 + random.Next(3)))).ToList();
        var pairs = Enumerable.Range(0, 1_000).Select(_ => $"{phrases[random.Next(phrases.Count)]} {phrases[random.Next(phrases.Count)]}");
        return phrases.Concat(starts).Concat(pairs).Where(q => q.Length is > 2 and <= 250).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(_ => random.Next()).Take(3_000);
    }

    private static float[] Perturb(float[] vector, Random random)
    {
        var v = new float[vector.Length];
        double norm = 0;
        for (var i = 0; i < v.Length; i++)
        {
            // Box-Muller: a standard normal, scaled to σ 0.03.
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            v[i] = vector[i] + (float)(0.03 * gaussian);
            norm += v[i] * v[i];
        }
        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < v.Length; i++)
            v[i] *= scale;
        return v;
    }
}
