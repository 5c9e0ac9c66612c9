using System.Numerics.Tensors;

namespace Papers.Api.Search;

/// <summary>What the index knows of a paper: its text fields and, once enriched, its embedding.</summary>
public record IndexedPaper(string PaperId, string Title, string Abstract, IReadOnlyList<string> Authors, IReadOnlyList<string> Keywords,
    float[]? Embedding, string? EmbeddingModel);

/// <summary>One search hit: the fused score and what each half of the search thought.</summary>
public record SearchHit(string PaperId, double Score, int? KeywordRank, double? Similarity);

/// <summary>
/// In-memory hybrid index (<c>Search:Backend=InMemory</c>, the embedded default), one per Api
/// replica, hydrated from the read model at every start: BM25 over title (counted twice),
/// abstract, authors and keywords, and exact cosine similarity over embeddings; the two rankings
/// are fused by reciprocal rank (<see cref="RankFusion"/>). Holds every float vector and scans
/// them all per query: measured fine to 100k papers (services/Api/README.md, "Search sizing");
/// beyond that, <see cref="DiskSearchIndex"/>.
/// </summary>
public sealed class SearchIndex : ISearchIndex
{
    private const double K1 = 1.2, B = 0.75;
    private const int Candidates = RankFusion.Candidates;

    /// <summary>Below this cosine a paper found only semantically is noise, not a hit.</summary>
    public const double MinSimilarity = RankFusion.MinSimilarity;

    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<string, Doc> _docs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _postings = new(StringComparer.Ordinal);
    private long _totalLength;

    private sealed record Doc(IndexedPaper Paper, Dictionary<string, int> Terms, int Length);

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _docs.Count; }
            finally { _lock.ExitReadLock(); }
        }
    }

    public void Upsert(IndexedPaper paper)
    {
        var terms = new Dictionary<string, int>(StringComparer.Ordinal);
        var length = 0;
        foreach (var t in TextTokens.Tokenize(paper.Title).Concat(TextTokens.Tokenize(paper.Title))
                     .Concat(TextTokens.Tokenize(paper.Abstract))
                     .Concat(paper.Authors.SelectMany(TextTokens.Tokenize))
                     .Concat(paper.Keywords.SelectMany(TextTokens.Tokenize)))
        {
            terms[t] = terms.GetValueOrDefault(t) + 1;
            length++;
        }

        _lock.EnterWriteLock();
        try
        {
            RemoveLocked(paper.PaperId);
            _docs[paper.PaperId] = new Doc(paper, terms, length);
            _totalLength += length;
            foreach (var (term, tf) in terms)
            {
                if (!_postings.TryGetValue(term, out var list))
                    _postings[term] = list = new Dictionary<string, int>(StringComparer.Ordinal);
                list[paper.PaperId] = tf;
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Nothing is persisted: every start loads the read model again.</summary>
    public DateTime? PersistedWatermark => null;

    public void Upsert(IReadOnlyCollection<IndexedPaper> papers)
    {
        foreach (var paper in papers)
            Upsert(paper);
    }

    public void Remove(string paperId)
    {
        _lock.EnterWriteLock();
        try { RemoveLocked(paperId); }
        finally { _lock.ExitWriteLock(); }
    }

    public void Checkpoint(DateTime watermark, bool force = false)
    {
    }

    public IndexedPaper? Get(string paperId)
    {
        _lock.EnterReadLock();
        try { return _docs.TryGetValue(paperId, out var d) ? d.Paper : null; }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Hybrid search; <paramref name="queryVector"/> may be null (keyword only).</summary>
    public IReadOnlyList<SearchHit> Search(string query, float[]? queryVector, string? model, int limit)
    {
        _lock.EnterReadLock();
        try
        {
            var keyword = KeywordRankLocked(query);
            var semantic = queryVector is null ? [] : NearestLocked(queryVector, model, exclude: null, Candidates);
            return RankFusion.Top(RankFusion.Fuse(keyword, semantic), id => id, limit);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Papers most like this one: its title and abstract as a keyword query next to its nearest
    /// embeddings, fused with <see cref="FusionWeights.Similar"/>; each with its embedding
    /// similarity. Empty until the paper is enriched.
    /// </summary>
    public IReadOnlyList<(string PaperId, double Similarity)> Similar(string paperId, int limit)
    {
        _lock.EnterReadLock();
        try
        {
            if (!_docs.TryGetValue(paperId, out var doc) || doc.Paper.Embedding is not { } vector)
                return [];
            return SimilarLocked(SimilarityText(doc.Paper), vector, doc.Paper.EmbeddingModel, paperId, limit, FusionWeights.Similar)
                .Select(h => (h.PaperId, h.Similarity ?? CosineLocked(vector, doc.Paper.EmbeddingModel, h.PaperId))).ToList();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public IReadOnlyList<SearchHit> SimilarTo(string text, float[]? vector, string? model, string? exclude, int limit, FusionWeights? blend = null)
    {
        _lock.EnterReadLock();
        try { return SimilarLocked(text, vector, model, exclude, limit, blend ?? FusionWeights.Similar); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>What a paper is compared by, as a keyword query: its title and abstract.</summary>
    public static string SimilarityText(IndexedPaper paper) => $"{paper.Title}\n{paper.Abstract}";

    private List<SearchHit> SimilarLocked(string text, float[]? vector, string? model, string? exclude, int limit, FusionWeights blend)
    {
        var keyword = blend.Keyword > 0 ? KeywordRankLocked(text, exclude) : [];
        var semantic = vector is null || blend.Meaning <= 0 ? [] : NearestLocked(vector, model, exclude, Candidates);
        var queryNeighbours = semantic.Take(RankFusion.SharedNeighbourCount).Select(n => n.PaperId).ToList();
        if (blend.Neighbourhood > 0 && semantic.Count > 0)
        {
            // The ranking comes from the expanded query; each paper still shows its similarity to the text.
            var expanded = RankFusion.Expand(vector!, [.. RankFusion.Neighbourhood(semantic).Select(n => _docs[n.Key].Paper.Embedding!)], blend.Neighbourhood);
            semantic = [.. NearestLocked(expanded, model, exclude, Candidates).Select(n => (n.PaperId, CosineLocked(vector!, model, n.PaperId)))];
        }
        var fused = RankFusion.Fuse(keyword, semantic, blend);
        if (blend.SharedNeighbours > 0 && queryNeighbours.Count > 0)
        {
            var candidates = fused.Take(RankFusion.SharedNeighbourDepth)
                .Where(f => _docs[f.Key].Paper is { Embedding: { } e } p && p.EmbeddingModel == model && e.Length == vector!.Length)
                .ToDictionary(f => f.Key, f => _docs[f.Key].Paper.Embedding!);
            var neighbours = NearestEachLocked(candidates, model, RankFusion.SharedNeighbourCount);
            fused = RankFusion.ShareNeighbours(fused, queryNeighbours, id => candidates.TryGetValue(id, out var e)
                ? (neighbours[id], TensorPrimitives.Dot(vector!, e)) : ([], 0), blend.SharedNeighbours);
        }
        return RankFusion.Top(fused, id => id, limit);
    }

    /// <summary>Embedding similarity of a paper found by keywords only (0 when it has no vector of this model).</summary>
    private double CosineLocked(float[] vector, string? model, string paperId) =>
        _docs.TryGetValue(paperId, out var d) && d.Paper.Embedding is { } e && d.Paper.EmbeddingModel == model && e.Length == vector.Length
            ? Math.Round(TensorPrimitives.Dot(vector, e), 4) : 0;

    private List<(string PaperId, double Similarity)> NearestLocked(float[] vector, string? model, string? exclude, int limit)
    {
        var best = new PriorityQueue<string, double>();
        foreach (var (id, doc) in _docs)
        {
            if (doc.Paper.Embedding is not { } e || id == exclude || doc.Paper.EmbeddingModel != model || e.Length != vector.Length)
                continue;
            var sim = TensorPrimitives.Dot(vector, e);
            if (best.Count < limit)
                best.Enqueue(id, sim);
            else if (best.TryPeek(out _, out var worst) && sim > worst)
                best.EnqueueDequeue(id, sim);
        }
        var result = new List<(string, double)>(best.Count);
        while (best.TryDequeue(out var id, out var sim))
            result.Add((id, sim));
        result.Reverse();
        return result;
    }

    /// <summary>
    /// Each paper's <paramref name="limit"/> nearest (itself left out), all in one pass over the
    /// index: each stored vector is read once for all of them, not once per paper.
    /// </summary>
    private Dictionary<string, IEnumerable<string>> NearestEachLocked(Dictionary<string, float[]> papers, string? model, int limit)
    {
        var queries = papers.ToArray();
        var best = queries.Select(_ => new PriorityQueue<string, float>()).ToArray();
        foreach (var (id, doc) in _docs)
        {
            if (doc.Paper.Embedding is not { } e || doc.Paper.EmbeddingModel != model)
                continue;
            for (var q = 0; q < queries.Length; q++)
            {
                if (id == queries[q].Key || e.Length != queries[q].Value.Length)
                    continue;
                var sim = TensorPrimitives.Dot(queries[q].Value, e);
                if (best[q].Count < limit)
                    best[q].Enqueue(id, sim);
                else if (best[q].TryPeek(out _, out var worst) && sim > worst)
                    best[q].EnqueueDequeue(id, sim);
            }
        }
        return queries.Select((q, i) => (q.Key, Nearest: best[i].UnorderedItems.Select(n => n.Element)))
            .ToDictionary(n => n.Key, n => n.Nearest);
    }

    private List<string> KeywordRankLocked(string query, string? exclude = null)
    {
        var terms = TextTokens.Tokenize(query).Distinct().ToList();
        if (terms.Count == 0 || _docs.Count == 0)
            return [];
        var avgLength = (double)_totalLength / _docs.Count;
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            if (!_postings.TryGetValue(term, out var list))
                continue;
            var idf = Math.Log(1 + (_docs.Count - list.Count + 0.5) / (list.Count + 0.5));
            foreach (var (id, tf) in list)
            {
                var norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * _docs[id].Length / avgLength));
                scores[id] = scores.GetValueOrDefault(id) + idf * norm;
            }
        }
        if (exclude is not null)
            scores.Remove(exclude);
        return scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Take(Candidates).Select(s => s.Key).ToList();
    }

    private void RemoveLocked(string paperId)
    {
        if (!_docs.Remove(paperId, out var old))
            return;
        _totalLength -= old.Length;
        foreach (var term in old.Terms.Keys)
            if (_postings.TryGetValue(term, out var list) && list.Remove(paperId) && list.Count == 0)
                _postings.Remove(term);
    }
}
