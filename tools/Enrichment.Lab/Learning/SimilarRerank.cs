using Papers.Api.Search;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Learning;

/// <summary>
/// Candidate similar-papers signals measured on top of an Api ranking (as it was before shared
/// neighbours, <see cref="Before"/>, or as shipped): the Api's top
/// <c>depth</c> hits for a paper are re-ranked by reciprocal-rank fusion of their Api rank
/// (weight 1) and their rank by the signal among those candidates (<c>weight</c>; infinite = the
/// signal alone), and judged as <see cref="RelevanceEval"/> judges the Api (same primary in the top 10).
/// </summary>
internal sealed class SimilarRerank
{
    /// <summary>The Api's similar-papers ranking before shared neighbours were shipped: what the signals here re-rank.</summary>
    public static readonly FusionWeights Before = FusionWeights.Similar with { SharedNeighbours = 0 };

    private readonly IReadOnlyList<LabelledPaper> _papers;
    private readonly int[][] _candidates;

    /// <summary>The Api's similar papers ranked with <paramref name="ranking"/> (default <see cref="Before"/>) for every paper, <paramref name="depth"/> deep, as rows of <paramref name="papers"/>.</summary>
    public SimilarRerank(IReadOnlyList<LabelledPaper> papers, RelevanceVectors vectors, int depth, FusionWeights? ranking = null)
    {
        _papers = papers;
        var index = RelevanceEval.PaperIndex(papers, vectors);
        var row = papers.Select((p, i) => (p.Id, i)).ToDictionary(t => t.Id, t => t.i, StringComparer.Ordinal);
        _candidates = [.. papers.Select((p, i) => index.SimilarTo(SearchIndex.SimilarityText(index.Get(p.Id)!), vectors.Papers[i], vectors.Model, p.Id, depth, ranking ?? Before)
            .Select(h => row[h.PaperId]).ToArray())];
    }

    /// <summary>A signal's value for every paper's candidates, computed once and re-ranked many ways.</summary>
    public double[][] Score(Func<int, int, double> signal) =>
        [.. _candidates.AsParallel().AsOrdered().Select((c, i) => c.Select(j => signal(i, j)).ToArray())];

    /// <summary>A signal that sees a paper's whole candidate list at once (its rows, best first), for every paper.</summary>
    public double[][] ScoreLists(Func<int, int[], double[]> signal) =>
        [.. _candidates.AsParallel().AsOrdered().Select((c, i) => signal(i, c))];

    /// <summary>For each paper, how many of its top 10 share its primary after re-ranking the top <paramref name="depth"/> candidates.</summary>
    public int[] SamePrimary(double[][] scores, int depth, double weight)
    {
        var same = new int[_candidates.Length];
        for (var i = 0; i < _candidates.Length; i++)
        {
            var n = Math.Min(depth, _candidates[i].Length);
            var bySignal = Enumerable.Range(0, n).OrderByDescending(k => scores[i][k]).ThenBy(k => k).ToArray();
            var signalRank = new int[n];
            for (var r = 0; r < n; r++)
                signalRank[bySignal[r]] = r + 1;
            var top = double.IsPositiveInfinity(weight) ? bySignal.Take(RelevanceEval.TopK)
                : Enumerable.Range(0, n).OrderByDescending(k => 1.0 / (RankFusion.FusionK + k + 1) + weight / (RankFusion.FusionK + signalRank[k])).ThenBy(k => k).Take(RelevanceEval.TopK);
            same[i] = top.Count(k => _papers[_candidates[i][k]].Primary == _papers[i].Primary);
        }
        return same;
    }

    /// <summary>For each paper, how many of its top 10 share its primary in the Api's ranking itself.</summary>
    public int[] SamePrimary() => [.. _candidates.Select((c, i) => c.Take(RelevanceEval.TopK).Count(j => _papers[j].Primary == _papers[i].Primary))];

    /// <summary>The same-primary share of the top 10 over all papers.</summary>
    public static double Share(int[] samePrimary) => samePrimary.Sum() / (double)(RelevanceEval.TopK * samePrimary.Length);

    /// <summary>
    /// The change in share from <paramref name="baseline"/> to <paramref name="other"/> on the same
    /// papers, with the half-width of its 95% confidence interval (normal approximation of the paired per-paper differences).
    /// </summary>
    public static (double Change, double HalfWidth) Paired(int[] other, int[] baseline)
    {
        var d = other.Zip(baseline, (a, b) => (a - b) / (double)RelevanceEval.TopK).ToArray();
        var mean = d.Average();
        var variance = d.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, d.Length - 1);
        return (mean, 1.96 * Math.Sqrt(variance / d.Length));
    }
}
