using Microsoft.Extensions.Caching.Memory;
using Papers.Api.Search;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Api.Browse;

/// <summary>A search hit with what each half of the search thought.</summary>
public sealed record FoundPaper(string PaperId, double Score, double? Similarity, string MatchedBy);

/// <summary>What a search found, and whether the query's embedding took part (<c>hybrid</c>) or failed (<c>keyword</c>).</summary>
public sealed record FoundPapers(IReadOnlyList<FoundPaper> Papers, string Mode)
{
    /// <summary>Nothing searched (an empty form).</summary>
    public static readonly FoundPapers None = new([], "hybrid");

    /// <summary>Writes <see cref="Mode"/> as the API's <c>X-Search-Mode</c> header does.</summary>
    public void Describe(HttpResponse response) => response.Headers[Apis.PapersApi.SearchModeHeader] = Mode;
}

/// <summary>
/// Search as the pages and <c>/v1</c> use it: the hybrid index for a query, or similar papers'
/// ranking for a pasted abstract, then the filters (date, category, topic, author) applied to the hits through
/// <see cref="FacetIndex"/>. The one place outside the search code that calls the index.
/// </summary>
public sealed class PaperSearch(ISearchIndex index, FacetIndex facets, ITextEmbedder embedder, IMemoryCache cache, ILogger<PaperSearch> logger)
{
    /// <summary>The most results one search lists (the index fuses at most 200 candidates of each kind).</summary>
    public const int MaxResults = 200;

    public async Task<FoundPapers> FindAsync(string? query, string? likeAbstract, PaperFilter filter, CancellationToken cancellationToken)
    {
        var byAbstract = !string.IsNullOrWhiteSpace(likeAbstract);
        var text = byAbstract ? likeAbstract! : query ?? "";
        float[]? vector = null;
        try
        {
            vector = (await embedder.EmbedAsync([text], cancellationToken))[0];
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // As the JSON search: whatever went wrong (Enrichment down, past the embedder's budget,
            // its circuit open, an error answer), keyword search still answers, and says so.
            logger.LogWarning(ex, "Query embedding failed ({Error}); answering with keyword search only", ex.GetType().Name);
        }
        var mode = vector is null ? "keyword" : "hybrid";
        var model = vector is null ? null : embedder.ModelId;
        var wanted = filter.IsEmpty ? MaxResults : 2 * MaxResults;
        // An abstract is ranked as similar papers are, its words as a BM25 query next to its meaning,
        // but without neighbourhood feedback (FusionWeights.PastedText; README, "Relevance").
        var hits = byAbstract ? index.SimilarTo(text, vector, model, exclude: null, wanted, FusionWeights.PastedText) : index.Search(text, vector, model, wanted);
        return new([.. hits
            .Where(h => filter.IsEmpty || facets.Get(h.PaperId) is { } f && filter.Matches(f))
            .Take(MaxResults)
            .Select(h => new FoundPaper(h.PaperId, h.Score, h.Similarity, (h.KeywordRank, h.Similarity) switch
            {
                (not null, not null) => "keyword+semantic",
                (not null, null) => "keyword",
                _ => "semantic",
            }))], mode);
    }

    /// <summary>
    /// Papers nearest in meaning to a paper, best first; empty until it is enriched. Kept a few
    /// minutes per paper (they change only as papers arrive).
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

    /// <summary>
    /// For pages, which every reader may open at the cost of a read: the similar papers if they are
    /// known, or found at once while the index is small; else null, and they are found in the
    /// background (one paper at a time, a bounded queue) for the next view. The in-memory index
    /// compares with every vector, so finding them on every page view of a large read model would
    /// make each view cost a search.
    /// </summary>
    public IReadOnlyList<(string PaperId, double Similarity)>? SimilarIfCheap(string paperId, int limit)
    {
        if (cache.TryGetValue((nameof(Similar), paperId, limit), out IReadOnlyList<(string, double)>? known))
            return known!;
        if (index.Count <= InlineSimilarUpTo)
            return Similar(paperId, limit);
        _toFind.Writer.TryWrite((paperId, limit));
        return null;
    }

    /// <summary>
    /// Up to this many papers, similar papers are found while the page renders. Since they are
    /// re-ranked by shared neighbours (one more pass over the vectors for 20 candidates), a find
    /// costs about 7 ms at 3,000 papers in memory and grows with the index (200 ms at 100,000),
    /// so larger indexes find them in the background instead.
    /// </summary>
    public const int InlineSimilarUpTo = 5_000;

    private readonly System.Threading.Channels.Channel<(string PaperId, int Limit)> _toFind =
        System.Threading.Channels.Channel.CreateBounded<(string, int)>(new System.Threading.Channels.BoundedChannelOptions(1_000)
        {
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });

    /// <summary>Finds the similar papers pages asked for, one at a time (<see cref="SimilarPapersFinder"/> runs it).</summary>
    internal async Task FindQueuedAsync(CancellationToken stoppingToken)
    {
        await foreach (var (paperId, limit) in _toFind.Reader.ReadAllAsync(stoppingToken))
            Similar(paperId, limit);
    }

    public static readonly TimeSpan SimilarKeptFor = TimeSpan.FromMinutes(10);
}

/// <summary>Runs <see cref="PaperSearch"/>'s background queue of similar papers that pages asked for.</summary>
/// <remarks>Takes the search when it starts, so that a host composed without an embedder stops at
/// the composition check (which names what is missing) rather than here.</remarks>
public sealed class SimilarPapersFinder(IServiceProvider services) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await services.GetRequiredService<PaperSearch>().FindQueuedAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
