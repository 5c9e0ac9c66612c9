using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Papers.Api.Data;
using Papers.Contracts;

namespace Papers.Api.Recommendations;

/// <summary>A recommended paper with the saved papers it resembles.</summary>
public sealed record ForYouItem(string PaperId, string Title, double Score, DateOnly ListedOn, IReadOnlyList<ForYouReason> Resembles);

public sealed record ForYouReason(string PaperId, string Title);

/// <summary>
/// "For you" of a library (all of an account's collections, or one): the library's model
/// (<see cref="LibraryRecommender"/>) fitted on its saved papers against the recent papers (their
/// text, embeddings of the current model, and topic tags), and
/// asked to rank the papers of the last <see cref="CandidateDays"/> listing days. A model is kept
/// for a while per library version (its saved papers and their newest save), so it is refitted
/// when the library changes and at most once per change and replica.
/// </summary>
public sealed class ForYou(ApiDbContext db, IMemoryCache cache, LibraryRecommender recommender)
{
    public const int CandidateDays = 3;
    private static readonly TimeSpan KeepModel = TimeSpan.FromMinutes(10);

    public async Task<IReadOnlyList<ForYouItem>> RecommendAsync(Guid account, Guid? collection, int limit, CancellationToken cancellationToken)
    {
        var saved = await db.SavedPapers
            .Where(s => db.Collections.Any(c => c.Id == s.CollectionId && c.AccountId == account && (collection == null || c.Id == collection)))
            .OrderByDescending(s => s.SavedAt).Select(s => new { s.PaperId, s.SavedAt })
            .Take(recommender.Options.MaxPositives).ToListAsync(cancellationToken);
        if (saved.Count == 0)
            return [];
        var recent = await RecentAsync(cancellationToken);
        if (recent.Count == 0)
            return [];
        // The model's key: the library as it is now (its papers, newest save) and the newest recent paper.
        var version = $"for-you:{account}:{collection}:{saved.Count}:{saved[0].SavedAt.Ticks}:{string.Join(',', saved.Select(s => s.PaperId)).GetHashCode(StringComparison.Ordinal)}:{recent[0].PaperId}";
        var savedIds = saved.Select(s => s.PaperId).ToList();
        // Vectors of different models are never compared: the model most of the recent papers have wins.
        var vectorModel = recent.Where(r => r.Model is not null).GroupBy(r => r.Model).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        var library = (await LoadAsync(db.Papers.Where(p => savedIds.Contains(p.PaperId)), savedIds.Count, cancellationToken))
            .OrderBy(l => savedIds.IndexOf(l.PaperId)).ToList(); // newest save first: the recommender keeps those when it caps the library
        if (library.Count == 0 || recent.All(r => savedIds.Contains(r.PaperId)))
            return [];
        var model = cache.GetOrCreate(version, entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = KeepModel;
            return recommender.Fit(library.Select(l => l.For(vectorModel)).ToList(), recent.Select(r => r.For(vectorModel)).ToList());
        })!;
        var newest = recent.Max(r => r.ListedOn);
        var candidates = recent.Where(r => r.ListedOn > newest.AddDays(-CandidateDays)).ToList();
        var picks = model.Rank(candidates.Select(c => c.For(vectorModel)), limit);
        var papers = recent.Concat(library).DistinctBy(r => r.PaperId).ToDictionary(r => r.PaperId);
        return picks.Select(p => new ForYouItem(p.PaperId, papers[p.PaperId].Title, p.Score, papers[p.PaperId].ListedOn,
            p.Resembles.Select(r => new ForYouReason(r, papers[r].Title)).ToList())).ToList();
    }

    private sealed record Row(string PaperId, string Title, DateOnly ListedOn, string Text, float[]? Embedding, string? Model, List<TopicTag>? Tags)
    {
        /// <summary>The paper for the recommender, with its vector only if it is of <paramref name="model"/>, and its topic tags.</summary>
        public RecommenderPaper For(string? model) =>
            new(PaperId, Text, Model == model ? Embedding : null, Tags?.Select(t => new RecommenderTag(t.Topic, t.Score)).ToList());
    }

    /// <summary>The newest papers: the negatives, and the candidates among them.</summary>
    private Task<List<Row>> RecentAsync(CancellationToken cancellationToken) =>
        LoadAsync(db.Papers.OrderByDescending(p => p.ListedOn).ThenBy(p => p.PaperId), recommender.Options.MaxNegatives, cancellationToken);

    private async Task<List<Row>> LoadAsync(IQueryable<PaperRecord> papers, int take, CancellationToken cancellationToken)
    {
        var rows = await (from p in papers.Take(take)
                          join e in db.Enrichments on p.PaperId equals e.PaperId into enriched
                          from e in enriched.DefaultIfEmpty()
                          select new { p.PaperId, p.Title, p.Abstract, p.Authors, p.ListedOn, Embedding = e == null ? null : e.Embedding, Model = e == null ? null : e.EmbeddingModel, Tags = e == null ? null : e.Tags })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new Row(r.PaperId, r.Title, r.ListedOn, Text(r.Title, r.Abstract, r.Authors.Select(a => a.Name)), r.Embedding, r.Model, r.Tags))
            .OrderByDescending(r => r.ListedOn).ThenBy(r => r.PaperId, StringComparer.Ordinal).ToList();
    }

    /// <summary>What the recommender reads of a paper (as the eval's readers: title, abstract, authors).</summary>
    public static string Text(string title, string @abstract, IEnumerable<string> authors) => $"{title}. {@abstract} {string.Join(", ", authors)}";
}
