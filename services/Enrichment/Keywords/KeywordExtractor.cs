using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Keywords;

/// <summary>
/// 3–8 keyphrases per paper: candidate phrases (runs of 1–3 content words) ranked by the
/// similarity of their embedding to the paper's, with maximal marginal relevance for diversity.
/// </summary>
public sealed partial class KeywordExtractor(ITextEmbedder embedder)
{
    private const int MaxKeywords = 6;
    private const int MaxCandidates = 24;
    private const double Diversity = 0.5;

    public async Task<IReadOnlyList<IReadOnlyList<string>>> ExtractAsync(IReadOnlyList<string> texts, IReadOnlyList<float[]> paperVectors, CancellationToken cancellationToken)
    {
        var candidates = texts.Select(Candidates).ToList();
        var all = candidates.SelectMany(c => c).Distinct().ToList();
        var vectors = all.Count == 0 ? [] : await embedder.EmbedAsync(all, cancellationToken);
        var byPhrase = all.Zip(vectors).ToDictionary(p => p.First, p => p.Second);
        return candidates.Select((c, i) => (IReadOnlyList<string>)Select(c, byPhrase, paperVectors[i])).ToList();
    }

    private static List<string> Select(List<string> candidates, Dictionary<string, float[]> vectors, float[] paper)
    {
        var relevance = candidates.ToDictionary(c => c, c => (double)TensorPrimitives.Dot(vectors[c], paper));
        var chosen = new List<string>();
        var pool = candidates.OrderByDescending(c => relevance[c]).ToList();
        while (chosen.Count < MaxKeywords && pool.Count > 0)
        {
            var best = pool.MaxBy(c => (1 - Diversity) * relevance[c]
                - Diversity * (chosen.Count == 0 ? 0 : chosen.Max(k => TensorPrimitives.Dot(vectors[c], vectors[k]))))!;
            chosen.Add(best);
            pool.Remove(best);
            // A phrase inside a chosen one (or containing it) adds nothing new.
            pool.RemoveAll(c => c.Contains(best, StringComparison.Ordinal) || best.Contains(c, StringComparison.Ordinal));
        }
        return chosen;
    }

    /// <summary>Phrases of 1–3 words with no stop word inside or at their ends, most frequent first.</summary>
    internal static List<string> Candidates(string text)
    {
        var counts = new Dictionary<string, int>();
        foreach (var sentence in SentenceSplit().Split(text.ToLowerInvariant()))
        {
            var words = Word().Matches(sentence).Select(m => m.Value).ToArray();
            for (var n = 1; n <= 3; n++)
                for (var i = 0; i + n <= words.Length; i++)
                {
                    var span = words.AsSpan(i, n);
                    if (!IsContentRun(span))
                        continue;
                    var phrase = string.Join(' ', span.ToArray());
                    counts[phrase] = counts.GetValueOrDefault(phrase) + 1;
                }
        }
        return counts.OrderByDescending(c => c.Value * c.Key.Count(ch => ch == ' ') + c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(MaxCandidates).Select(c => c.Key).ToList();
    }

    private static bool IsContentRun(ReadOnlySpan<string> words)
    {
        foreach (var w in words)
            if (w.Length < 3 && !w.Any(char.IsDigit) || StopWords.Words.Contains(w) || w.All(char.IsDigit))
                return false;
        return true;
    }

    [GeneratedRegex(@"[.;:!?()\[\]]|,\s")]
    private static partial Regex SentenceSplit();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\-]*")]
    private static partial Regex Word();
}
