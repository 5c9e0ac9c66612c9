namespace Papers.Api.Search;

/// <summary>
/// This replica's hybrid search index, fed by <see cref="IndexHydrator"/> from the read model:
/// <see cref="SearchIndex"/> in memory (the embedded default) or <see cref="DiskSearchIndex"/>
/// (Lucene.Net + USearch HNSW under <c>Search:IndexDirectory</c>, for clusters), chosen by
/// <c>Search:Backend</c> in <see cref="SearchRegistration"/>. Searches may run concurrently with
/// upserts.
/// </summary>
public interface ISearchIndex
{
    /// <summary>Papers in the index.</summary>
    int Count { get; }

    /// <summary>
    /// Read-model time up to which every change is in the persisted snapshot this index was
    /// opened from; null when nothing was persisted (always, in memory): the hydrator then loads
    /// every paper.
    /// </summary>
    DateTime? PersistedWatermark { get; }

    /// <summary>Adds papers or replaces their text and embedding; the last of a paper's duplicates wins.</summary>
    void Upsert(IReadOnlyCollection<IndexedPaper> papers);

    void Upsert(IndexedPaper paper) => Upsert([paper]);

    void Remove(string paperId);

    /// <summary>
    /// Hybrid search: BM25 ranks and, when <paramref name="queryVector"/> is given, the nearest
    /// embeddings of <paramref name="model"/> only, fused by reciprocal rank (<see cref="RankFusion"/>).
    /// </summary>
    IReadOnlyList<SearchHit> Search(string query, float[]? queryVector, string? model, int limit);

    /// <summary>
    /// Papers most like this one, best first, without itself, each with its embedding similarity:
    /// its title and abstract as keywords and its embedding, fused with <see cref="FusionWeights.Similar"/>;
    /// empty until it is enriched.
    /// </summary>
    IReadOnlyList<(string PaperId, double Similarity)> Similar(string paperId, int limit);

    /// <summary>
    /// Papers most like a text (a pasted abstract): the text as a keyword query and, when
    /// <paramref name="vector"/> is given, the nearest embeddings of <paramref name="model"/>,
    /// fused with <paramref name="blend"/> (default <see cref="FusionWeights.Similar"/>);
    /// <paramref name="exclude"/> leaves one paper out.
    /// </summary>
    IReadOnlyList<SearchHit> SimilarTo(string text, float[]? vector, string? model, string? exclude, int limit, FusionWeights? blend = null);

    /// <summary>
    /// Every change of the read model up to <paramref name="watermark"/> has been upserted. A
    /// persistent index writes a snapshot when one is due (or when <paramref name="force"/>d);
    /// the in-memory one has nothing to do.
    /// </summary>
    void Checkpoint(DateTime watermark, bool force = false);
}
