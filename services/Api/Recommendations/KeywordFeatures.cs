using Papers.Api.Search;

namespace Papers.Api.Recommendations;

/// <summary>
/// TF-IDF over the words and word pairs of a paper's text (the search's tokens: lower-cased,
/// stop words dropped), sublinear term frequency, smoothed idf, rows L2-normalised. The
/// vocabulary and idf come from the papers the model is fitted on: terms in at least
/// <paramref name="MinDocuments"/> of them and at most <paramref name="MaxDocumentFraction"/>,
/// the most frequent <paramref name="MaxFeatures"/> kept (arxiv-sanity's settings by default).
/// </summary>
public sealed record KeywordFeatureOptions(int MaxFeatures = 20_000, int MinDocuments = 2, double MaxDocumentFraction = 0.1);

public sealed class KeywordFeatures
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly float[] _idf;

    private KeywordFeatures(Dictionary<string, int> vocabulary, float[] idf)
    {
        _vocabulary = vocabulary;
        _idf = idf;
    }

    public int Dimensions => _idf.Length;

    public static KeywordFeatures Fit(IReadOnlyList<string> documents, KeywordFeatureOptions options)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var doc in documents)
            foreach (var term in Terms(doc).Distinct())
                df[term] = df.GetValueOrDefault(term) + 1;
        var maxDocuments = Math.Max(options.MinDocuments, options.MaxDocumentFraction * documents.Count);
        var kept = df.Where(t => t.Value >= options.MinDocuments && t.Value <= maxDocuments)
            .OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal)
            .Take(options.MaxFeatures).ToList();
        var vocabulary = kept.Select((t, i) => (t.Key, i)).ToDictionary(t => t.Key, t => t.i, StringComparer.Ordinal);
        var n = documents.Count;
        return new KeywordFeatures(vocabulary, kept.Select(t => (float)(Math.Log((1.0 + n) / (1.0 + t.Value)) + 1)).ToArray());
    }

    /// <summary>The document's sparse row, its values multiplied by <paramref name="weight"/>.</summary>
    public (int[] Index, float[] Value) Transform(string document, float weight = 1)
    {
        var counts = new Dictionary<int, int>();
        foreach (var term in Terms(document))
            if (_vocabulary.TryGetValue(term, out var i))
                counts[i] = counts.GetValueOrDefault(i) + 1;
        var index = counts.Keys.Order().ToArray();
        var value = index.Select(i => (float)(1 + Math.Log(counts[i])) * _idf[i]).ToArray();
        var norm = MathF.Sqrt(value.Sum(v => v * v));
        if (norm > 0)
            for (var i = 0; i < value.Length; i++)
                value[i] *= weight / norm;
        return (index, value);
    }

    private static IEnumerable<string> Terms(string document)
    {
        string? previous = null;
        foreach (var word in TextTokens.Tokenize(document))
        {
            yield return word;
            if (previous is not null)
                yield return previous + " " + word;
            previous = word;
        }
    }
}
