using System.Numerics.Tensors;
using System.Text.RegularExpressions;

namespace Papers.Enrichment.Lab.Learning;

/// <summary>
/// Sentence-level matching of two papers, as the best published query-by-example systems do
/// (Aspire, Mysore et al. 2022): each abstract is cut into sentences, each sentence embedded on
/// its own, and two papers compared by how well each sentence of one finds a close sentence in
/// the other, rather than by one vector per abstract.
/// </summary>
internal static partial class SentenceMatch
{
    /// <summary>At most this many sentences per paper (the rest join the last): bounds storage and the match's cost.</summary>
    public const int MaxSentences = 16;

    /// <summary>A piece shorter than this joins its neighbour: "(ii)" or a stray formula is no sentence.</summary>
    private const int MinSentenceLength = 25;

    /// <summary>The abstract's sentences: cut after '.', '!' or '?' before an upper-case letter, digit or '$', but not after a common abbreviation.</summary>
    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        var start = 0;
        foreach (Match m in Boundary().Matches(text))
        {
            var before = text[start..m.Index];
            if (Abbreviation().IsMatch(before))
                continue;
            pieces.Add(text[start..m.Index].Trim());
            start = m.Index + m.Length;
        }
        pieces.Add(text[start..].Trim());

        var sentences = new List<string>();
        foreach (var piece in pieces.Where(p => p.Length > 0))
        {
            if (sentences.Count > 0 && (piece.Length < MinSentenceLength || sentences[^1].Length < MinSentenceLength || sentences.Count == MaxSentences))
                sentences[^1] += " " + piece;
            else
                sentences.Add(piece);
        }
        return sentences;
    }

    /// <summary>
    /// How well the query's sentences are found in the candidate's: the mean over query sentences
    /// of the best cosine with any candidate sentence (vectors are unit length);
    /// <paramref name="both"/> averages it with the other direction.
    /// </summary>
    public static double MaxSim(float[][] query, float[][] candidate, bool both)
    {
        if (query.Length == 0 || candidate.Length == 0)
            return 0;
        var best = new float[candidate.Length];
        Array.Fill(best, float.MinValue);
        double forward = 0;
        foreach (var q in query)
        {
            var max = float.MinValue;
            for (var j = 0; j < candidate.Length; j++)
            {
                var s = TensorPrimitives.Dot(q, candidate[j]);
                max = Math.Max(max, s);
                best[j] = Math.Max(best[j], s);
            }
            forward += max;
        }
        forward /= query.Length;
        return both ? (forward + best.Average(b => (double)b)) / 2 : forward;
    }

    /// <summary>
    /// A soft one-to-one match (Aspire's optimal-transport variant): each paper's sentences carry
    /// equal mass, moved to the other's along the most similar pairs by entropic optimal transport
    /// (Sinkhorn, <paramref name="epsilon"/> the blur); the score is the transported similarity.
    /// Unlike <see cref="MaxSim"/>, one sentence of the candidate cannot answer every query sentence.
    /// </summary>
    public static double Transport(float[][] query, float[][] candidate, double epsilon = 0.05, int iterations = 30)
    {
        if (query.Length == 0 || candidate.Length == 0)
            return 0;
        int n = query.Length, m = candidate.Length;
        var similarity = new double[n, m];
        var kernel = new double[n, m];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++)
            {
                similarity[i, j] = TensorPrimitives.Dot(query[i], candidate[j]);
                kernel[i, j] = Math.Exp((similarity[i, j] - 1) / epsilon);
            }
        var u = new double[n];
        var v = new double[m];
        Array.Fill(v, 1.0);
        for (var t = 0; t < iterations; t++)
        {
            for (var i = 0; i < n; i++)
            {
                double sum = 0;
                for (var j = 0; j < m; j++)
                    sum += kernel[i, j] * v[j];
                u[i] = 1.0 / n / Math.Max(sum, 1e-300);
            }
            for (var j = 0; j < m; j++)
            {
                double sum = 0;
                for (var i = 0; i < n; i++)
                    sum += kernel[i, j] * u[i];
                v[j] = 1.0 / m / Math.Max(sum, 1e-300);
            }
        }
        double score = 0;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++)
                score += u[i] * kernel[i, j] * v[j] * similarity[i, j];
        return score;
    }

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z0-9$\\(\[])")]
    private static partial Regex Boundary();

    /// <summary>A piece ending in an abbreviation or an initial ("e.g.", "et al.", "Fig.", "J.") does not end a sentence.</summary>
    [GeneratedRegex(@"(\b(e\.g|i\.e|et al|etc|vs|cf|Fig|Figs|Eq|Eqs|Ref|Refs|Sec|Sect|No|approx|resp|ca|Dr|Prof|Mr|St)\.|\b[A-Z]\.)$")]
    private static partial Regex Abbreviation();
}
