namespace Papers.Api.Search;

/// <summary>
/// Reciprocal-rank fusion shared by both search backends, so they rank alike: each paper scores
/// 1/(<see cref="FusionK"/> + rank) per ranking it appears in (the top <see cref="Candidates"/>
/// of BM25 and of embedding similarity at or above <see cref="MinSimilarity"/>); ties go to the
/// smaller paper id (ordinal).
/// </summary>
public static class RankFusion
{
    public const int FusionK = 60, Candidates = 200;

    /// <summary>Below this cosine a paper found only semantically is noise, not a hit.</summary>
    public const double MinSimilarity = 0.2;

    /// <summary>A paper (by whatever key the backend uses) with its fused score and what each ranking said.</summary>
    public readonly record struct Fused<TKey>(TKey Key, double Score, int? KeywordRank, double? Similarity);

    /// <summary>
    /// Fuses keyword candidates (best first) with semantic ones (best first, any similarity), best
    /// first; <paramref name="blend"/> weighs the two rankings (search: equal weights).
    /// </summary>
    public static List<Fused<TKey>> Fuse<TKey>(IReadOnlyList<TKey> keyword, IReadOnlyList<(TKey Key, double Similarity)> semantic, FusionWeights? blend = null)
        where TKey : notnull
    {
        var (keywordWeight, meaningWeight, _, _) = blend ?? FusionWeights.Search;
        var fused = new Dictionary<TKey, (double Score, int? Rank, double? Similarity)>(keyword.Count + semantic.Count);
        for (var i = 0; i < keyword.Count; i++)
            fused[keyword[i]] = (keywordWeight / (FusionK + i + 1), i + 1, null);
        var rank = 0;
        foreach (var (key, similarity) in semantic)
        {
            if (similarity < MinSimilarity)
                continue;
            var prior = fused.GetValueOrDefault(key);
            fused[key] = (prior.Score + meaningWeight / (FusionK + ++rank), prior.Rank, similarity);
        }
        var list = fused.Select(f => new Fused<TKey>(f.Key, f.Value.Score, f.Value.Rank, f.Value.Similarity)).ToList();
        list.Sort((a, b) => b.Score.CompareTo(a.Score));
        return list;
    }

    /// <summary>Nearest neighbours whose mean vector <see cref="Expand"/> adds to a similar-papers query.</summary>
    public const int NeighbourhoodSize = 10;

    /// <summary>The neighbours that feed <see cref="Expand"/>: the nearest few that are not noise (at least <see cref="MinSimilarity"/>).</summary>
    public static IEnumerable<(TKey Key, double Similarity)> Neighbourhood<TKey>(IEnumerable<(TKey Key, double Similarity)> nearest) =>
        nearest.Take(NeighbourhoodSize).Where(n => n.Similarity >= MinSimilarity);

    /// <summary>
    /// Pseudo-relevance feedback in embedding space (Rocchio): the query plus
    /// <paramref name="weight"/> times the mean of its nearest neighbours' vectors, normalised. It
    /// pulls the query toward the topic its neighbourhood shares, away from one-paper quirks.
    /// </summary>
    public static float[] Expand(float[] query, IReadOnlyList<float[]> neighbours, double weight)
    {
        var expanded = (float[])query.Clone();
        if (neighbours.Count == 0 || weight <= 0)
            return expanded;
        var scale = (float)(weight / neighbours.Count);
        foreach (var n in neighbours)
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(n, scale, expanded, expanded);
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(expanded);
        if (norm > 0)
            System.Numerics.Tensors.TensorPrimitives.Divide(expanded, norm, expanded);
        return expanded;
    }

    /// <summary>How many of the best fused candidates <see cref="ShareNeighbours"/> re-ranks, and how many nearest papers it compares.</summary>
    public const int SharedNeighbourDepth = 20, SharedNeighbourCount = 20;

    /// <summary>
    /// Re-ranks the best <see cref="SharedNeighbourDepth"/> of <paramref name="best"/> (sorted, best
    /// first) by reciprocal-rank fusion of their fused rank (weight 1) with their rank by shared
    /// neighbours (<paramref name="weight"/>): how many of the query's
    /// <see cref="SharedNeighbourCount"/> nearest papers are among the candidate's, its
    /// embedding similarity to the query breaking ties (<paramref name="candidate"/> gives both;
    /// no neighbours for a paper without a vector). Papers of one topic sit in each other's
    /// neighbourhoods; a paper merely close to the query need not. The rest keep their order
    /// below. Chosen by the lab's <c>similar</c> command (README, "Relevance").
    /// </summary>
    public static List<Fused<TKey>> ShareNeighbours<TKey>(List<Fused<TKey>> best, IReadOnlyCollection<TKey> queryNeighbours,
        Func<TKey, (IEnumerable<TKey> Neighbours, double Similarity)> candidate, double weight)
        where TKey : notnull
    {
        var n = Math.Min(SharedNeighbourDepth, best.Count);
        var query = queryNeighbours.ToHashSet();
        var signal = best.Take(n).Select(f => candidate(f.Key) is var (neighbours, similarity) ? neighbours.Count(query.Contains) + similarity : 0).ToArray();
        var signalRank = new int[n];
        var bySignal = Enumerable.Range(0, n).OrderByDescending(i => signal[i]).ThenBy(i => i).ToArray();
        for (var r = 0; r < n; r++)
            signalRank[bySignal[r]] = r + 1;
        var reranked = best.Select((f, i) => f with { Score = 1.0 / (FusionK + i + 1) + (i < n ? weight / (FusionK + signalRank[i]) : 0) }).ToList();
        reranked.Sort((a, b) => b.Score.CompareTo(a.Score));
        return reranked;
    }

    /// <summary>
    /// The best <paramref name="limit"/> hits, ties broken by paper id. Ids are resolved only for
    /// candidates that can make the cut; a key that resolves to null (gone since) is skipped.
    /// </summary>
    public static List<SearchHit> Top<TKey>(List<Fused<TKey>> best, Func<TKey, string?> paperId, int limit)
    {
        var picked = new List<(Fused<TKey> Hit, string Id)>(limit);
        for (var i = 0; i < best.Count && picked.Count < limit;)
        {
            // Take a whole group of equal scores, so the id order decides within it.
            var score = best[i].Score;
            for (; i < best.Count && best[i].Score == score; i++)
                if (paperId(best[i].Key) is { } id)
                    picked.Add((best[i], id));
        }
        return picked.OrderByDescending(p => p.Hit.Score).ThenBy(p => p.Id, StringComparer.Ordinal).Take(limit)
            .Select(p => new SearchHit(p.Id, Math.Round(p.Hit.Score * FusionK / 2, 4), p.Hit.KeywordRank,
                p.Hit.Similarity is { } s ? Math.Round(s, 4) : null))
            .ToList();
    }
}

/// <summary>
/// How much each ranking counts in <see cref="RankFusion.Fuse{TKey}"/>: keywords (BM25) and meaning
/// (embedding similarity); and, for similar papers, how far the embedding query moves toward its
/// own nearest neighbours before the meaning ranking is taken (<see cref="RankFusion.Expand"/>; 0 = not at all);
/// and how much the fused candidates' shared nearest neighbours with the query re-rank them
/// (<see cref="RankFusion.ShareNeighbours"/>; 0 = not at all).
/// </summary>
public readonly record struct FusionWeights(double Keyword, double Meaning, double Neighbourhood = 0, double SharedNeighbours = 0)
{
    /// <summary>Search: both rankings alike.</summary>
    public static readonly FusionWeights Search = new(1, 1);

    /// <summary>
    /// Similar papers: the whole text as a BM25 query at a quarter of the weight of the nearest
    /// embeddings, found from the query moved toward its neighbourhood (4 × their mean); the best
    /// 20 then re-ranked by shared nearest neighbours at twice the weight of their fused rank.
    /// Chosen as the best of the lab's <c>eval --sweep</c> and <c>similar</c> on the papers before
    /// 2020 and reported on those from 2020 on (README, "Relevance"): keywords at full weight
    /// measured worse than meaning alone with MiniLM.
    /// </summary>
    public static readonly FusionWeights Similar = new(0.25, 1, 4, SharedNeighbours: 2);

    /// <summary>
    /// "Similar to this text" (a pasted abstract): the reader's own text stays the query, with no
    /// neighbourhood feedback. Feedback helps a stored paper's list (the paper itself is left out),
    /// but it pulls an unusual text toward its neighbours' topic, so a pasted abstract of a paper we
    /// hold no longer found that paper first (the embedded default's browser test).
    /// </summary>
    public static readonly FusionWeights PastedText = new(0.25, 1);

    /// <summary>Embedding similarity alone: similar papers before the fusion, for comparison.</summary>
    public static readonly FusionWeights MeaningOnly = new(0, 1);
}
