using Microsoft.Extensions.Caching.Memory;
using Papers.Api.Search;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Api.Browse;

/// <summary>A search hit with what each half of the search thought.</summary>
public sealed record FoundPaper(string PaperId, double Score, double? Similarity, string MatchedBy);

/// <summary>
/// Search as the pages and <c>/v1</c> use it: the hybrid index for a query, or meaning alone for a
/// pasted abstract, then the filters (date, category, topic, author) applied to the hits through
/// <see cref="FacetIndex"/>. The one place outside the search code that calls the index.
/// </summary>
public sealed class PaperSearch(SearchIndex index, FacetIndex facets, ITextEmbedder embedder, IMemoryCache cache, ILogger<PaperSearch> logger)
{
    /// <summary>The most results one search lists (the index fuses at most 200 candidates of each kind).</summary>
    public const int MaxResults = 200;

    /// <summary>The longest abstract "paste an abstract" takes (it travels in the URL); the model reads its first 256 tokens, about 1,200 characters.</summary>
    public const int MaxAbstractLength = 2_000;

    public async Task<IReadOnlyList<FoundPaper>> FindAsync(string? query, string? likeAbstract, PaperFilter filter, CancellationToken cancellationToken)
    {
        var byAbstract = !string.IsNullOrWhiteSpace(likeAbstract);
        var text = byAbstract ? likeAbstract! : query ?? "";
        float[]? vector = null;
        try
        {
            vector = (await embedder.EmbedAsync([text], cancellationToken))[0];
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Keyword search still answers while the embedding service is unreachable.
            logger.LogWarning(ex, "Query embedding failed; answering with keyword search only");
        }
        if (byAbstract && vector is null)
            return [];
        // An abstract is matched by meaning only: its hundreds of words would make a poor keyword query.
        var hits = index.Search(byAbstract ? "" : text, vector, vector is null ? null : embedder.ModelId, filter.IsEmpty ? MaxResults : 2 * MaxResults);
        return [.. hits
            .Where(h => filter.IsEmpty || facets.Get(h.PaperId) is { } f && filter.Matches(f))
            .Take(MaxResults)
            .Select(h => new FoundPaper(h.PaperId, h.Score, h.Similarity, (h.KeywordRank, h.Similarity) switch
            {
                (not null, not null) => "keyword+semantic",
                (not null, null) => "keyword",
                _ => "semantic",
            }))];
    }

    /// <summary>
    /// Papers nearest in meaning to a paper, best first; empty until it is enriched. Kept a few
    /// minutes per paper (they change only as papers arrive): every paper page asks, and the
    /// in-memory index compares with every vector.
    /// </summary>
    public IReadOnlyList<(string PaperId, double Similarity)> Similar(string paperId, int limit)
    {
        if (cache.TryGetValue((nameof(Similar), paperId, limit), out IReadOnlyList<(string, double)>? known))
            return known!;
        IReadOnlyList<(string, double)> similar = [.. index.Similar(paperId, limit).Select(s => (s.PaperId, Math.Round(s.Similarity, 4)))];
        // Not kept while empty: the paper's vector may be on its way.
        if (similar.Count > 0)
            cache.Set((nameof(Similar), paperId, limit), similar, SimilarKeptFor);
        return similar;
    }

    public static readonly TimeSpan SimilarKeptFor = TimeSpan.FromMinutes(10);
}
