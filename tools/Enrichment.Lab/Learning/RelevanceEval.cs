using Papers.Api.Search;
using Papers.Contracts;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Learning;

/// <summary>One model's vectors of the labelled papers, as the platform would store and query them.</summary>
/// <param name="Model">The model id (vectors of other models are never compared).</param>
/// <param name="Papers">Title and abstract, as documents: what Enrichment stores for a paper.</param>
/// <param name="Abstracts">The abstract alone, as a document: the known-item index, which must not see the title.</param>
/// <param name="Titles">The title, as a query: the known-item query.</param>
/// <param name="PapersAsQueries">Title and abstract, as a query: a pasted abstract ("similar to this text").</param>
internal sealed record RelevanceVectors(string Model, float[][] Papers, float[][] Abstracts, float[][] Titles, float[][] PapersAsQueries);

/// <summary>
/// Known-item search and similar papers on labelled papers, ranked by the Api's own
/// <see cref="SearchIndex"/> (the hybrid search and similar papers the platform serves), with
/// BM25 alone and TF-IDF cosine as baselines computed on the same papers.
/// <list type="bullet">
/// <item>Known-item search: the index holds every paper's abstract under an empty title; each
/// paper's title is the query; MRR@10 and hit@1 of finding that paper.</item>
/// <item>Similar papers: the index holds the papers as the platform does (title, abstract, the
/// stored vector); for each paper, the share of its top 10 whose primary category is its own.</item>
/// </list>
/// </summary>
internal static class RelevanceEval
{
    public const int TopK = 10;

    /// <summary>Reciprocal rank of the wanted paper within the top 10 (0 if not there), and whether it came first.</summary>
    public readonly record struct KnownItem(double Mrr, double Hit1)
    {
        public static KnownItem Of(IReadOnlyList<List<string>> rankings, IReadOnlyList<string> wanted)
        {
            double mrr = 0, hit = 0;
            for (var i = 0; i < wanted.Count; i++)
            {
                var rank = rankings[i].Take(TopK).ToList().IndexOf(wanted[i]);
                if (rank >= 0)
                    mrr += 1.0 / (rank + 1);
                if (rank == 0)
                    hit++;
            }
            return new KnownItem(mrr / wanted.Count, hit / wanted.Count);
        }
    }

    /// <summary>The platform's index of the papers' abstracts under an empty title, with each abstract's vector.</summary>
    public static SearchIndex AbstractIndex(IReadOnlyList<LabelledPaper> papers, RelevanceVectors? vectors)
    {
        var index = new SearchIndex();
        for (var i = 0; i < papers.Count; i++)
            index.Upsert(new IndexedPaper(papers[i].Id, "", papers[i].Abstract, [], [], vectors?.Abstracts[i], vectors?.Model));
        return index;
    }

    /// <summary>The platform's index of the papers as it stores them: title, abstract and the paper's vector.</summary>
    public static SearchIndex PaperIndex(IReadOnlyList<LabelledPaper> papers, RelevanceVectors? vectors)
    {
        var index = new SearchIndex();
        for (var i = 0; i < papers.Count; i++)
            index.Upsert(new IndexedPaper(papers[i].Id, papers[i].Title, papers[i].Abstract, [], [], vectors?.Papers[i], vectors?.Model));
        return index;
    }

    /// <summary>Known-item search through the platform's hybrid search; without a model's vectors, its BM25 alone.</summary>
    public static KnownItem Search(IReadOnlyList<LabelledPaper> papers, RelevanceVectors? vectors, bool meaningOnly = false)
    {
        var index = AbstractIndex(papers, vectors);
        var rankings = papers.Select((p, i) => meaningOnly
            ? index.SimilarTo("", vectors!.Titles[i], vectors.Model, null, TopK, FusionWeights.MeaningOnly).Select(h => h.PaperId).ToList()
            : index.Search(p.Title, vectors?.Titles[i], vectors?.Model, TopK).Select(h => h.PaperId).ToList()).ToList();
        return KnownItem.Of(rankings, papers.Select(p => p.Id).ToList());
    }

    /// <summary>Known-item search by TF-IDF cosine (unigrams and bigrams, fitted on the abstracts).</summary>
    public static KnownItem TfIdfSearch(IReadOnlyList<LabelledPaper> papers)
    {
        var tfidf = TfIdf.Fit(papers.Select(p => p.Abstract));
        var documents = papers.Select(p => tfidf.Transform(p.Abstract)).ToArray();
        var rankings = papers.Select(p => Nearest(tfidf.Transform(p.Title), documents, tfidf.Dimensions, exclude: -1).Select(j => papers[j].Id).ToList()).ToList();
        return KnownItem.Of(rankings, papers.Select(p => p.Id).ToList());
    }

    /// <summary>
    /// Similar papers through the platform's index with these fusion weights (BM25 alone when the
    /// weights ignore meaning): from the paper's stored vector, or, <paramref name="pasted"/>, from
    /// its text embedded as a query, as "similar to this text" does with a pasted abstract.
    /// With <paramref name="topics"/>, a candidate experiment (not what the Api ranks by): each of
    /// the index's fused candidates also gets a topic vote (<see cref="TopicVote"/>).
    /// </summary>
    public static SimilarResult Similar(IReadOnlyList<LabelledPaper> papers, RelevanceVectors? vectors, FusionWeights blend, bool pasted = false,
        (IReadOnlyList<TopicTag>[] Tags, double Weight)? topics = null)
    {
        var index = PaperIndex(papers, vectors);
        var row = papers.Select((p, i) => (p.Id, i)).ToDictionary(t => t.Id, t => t.i, StringComparer.Ordinal);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var neighbours = papers.Select((p, i) =>
        {
            var hits = index.SimilarTo(SearchIndex.SimilarityText(index.Get(p.Id)!), (pasted ? vectors?.PapersAsQueries : vectors?.Papers)?[i],
                vectors?.Model, p.Id, topics is null ? TopK : RankFusion.Candidates, blend);
            return (topics is { } t ? TopicVote(hits, h => t.Weight * TopicSimilarity(t.Tags[i], t.Tags[row[h.PaperId]])) : hits).Take(TopK).Select(h => h.PaperId).ToList();
        }).ToList();
        return new(SamePrimaryShare(papers, neighbours), watch.Elapsed.TotalMilliseconds / papers.Count);
    }

    /// <summary>
    /// Adds to each fused hit a vote of <c>vote(hit)</c> first places in one ranking (the hit's
    /// score is the fused score × <see cref="RankFusion.FusionK"/>/2, a first place 1/(K + 1)), best first, ties by id as the Api breaks them.
    /// </summary>
    private static IEnumerable<SearchHit> TopicVote(IReadOnlyList<SearchHit> hits, Func<SearchHit, double> vote) =>
        hits.Select(h => h with { Score = h.Score + vote(h) * RankFusion.FusionK / 2 / (RankFusion.FusionK + 1) })
            .OrderByDescending(h => h.Score).ThenBy(h => h.PaperId, StringComparer.Ordinal);

    /// <summary>How alike two papers' topic tags are: the cosine of their tag-score vectors (0 when they share none or either has none).</summary>
    public static double TopicSimilarity(IReadOnlyList<TopicTag> a, IReadOnlyList<TopicTag> b)
    {
        double dot = 0, normA = 0, normB = 0;
        foreach (var x in a)
        {
            normA += x.Score * x.Score;
            dot += b.Where(y => y.Topic == x.Topic).Sum(y => x.Score * y.Score);
        }
        normB = b.Sum(y => y.Score * y.Score);
        return normA > 0 && normB > 0 ? dot / Math.Sqrt(normA * normB) : 0;
    }

    /// <summary>The same-primary share of the top 10, and the index's time per paper for it (in memory, this many papers).</summary>
    public readonly record struct SimilarResult(double Share, double MillisecondsPerPaper);

    /// <summary>Similar papers by TF-IDF cosine of title and abstract.</summary>
    public static SimilarResult TfIdfSimilar(IReadOnlyList<LabelledPaper> papers)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var tfidf = TfIdf.Fit(papers.Select(p => p.Text));
        var documents = papers.Select(p => tfidf.Transform(p.Text)).ToArray();
        var neighbours = papers.Select((_, i) => Nearest(documents[i], documents, tfidf.Dimensions, exclude: i).Select(j => papers[j].Id).ToList()).ToList();
        return new(SamePrimaryShare(papers, neighbours), watch.Elapsed.TotalMilliseconds / papers.Count);
    }

    /// <summary>Share of all the top-10 neighbours whose primary category is the query paper's.</summary>
    private static double SamePrimaryShare(IReadOnlyList<LabelledPaper> papers, List<List<string>> neighbours)
    {
        var primary = papers.ToDictionary(p => p.Id, p => p.Primary, StringComparer.Ordinal);
        double same = 0, all = 0;
        for (var i = 0; i < papers.Count; i++)
        {
            foreach (var id in neighbours[i].Take(TopK))
                same += primary[id] == papers[i].Primary ? 1 : 0;
            all += TopK;
        }
        return same / all;
    }

    private static List<int> Nearest((int[] Index, float[] Value) query, (int[] Index, float[] Value)[] documents, int dimensions, int exclude)
    {
        var dense = new float[dimensions];
        for (var k = 0; k < query.Index.Length; k++)
            dense[query.Index[k]] = query.Value[k];
        var scores = new (int Doc, float Score)[documents.Length];
        for (var j = 0; j < documents.Length; j++)
        {
            float dot = 0;
            var (index, value) = documents[j];
            for (var k = 0; k < index.Length; k++)
                dot += dense[index[k]] * value[k];
            scores[j] = (j, j == exclude ? float.NegativeInfinity : dot);
        }
        return scores.Where(s => s.Score > 0).OrderByDescending(s => s.Score).ThenBy(s => s.Doc).Take(TopK).Select(s => s.Doc).ToList();
    }
}
