using System.Text.RegularExpressions;
using Papers.Domain;
using Papers.Enrichment.Keywords;
using Papers.Enrichment.Tagging.Learning;

namespace Papers.Enrichment.Lab.Learning;

/// <summary>
/// The arxiv-sanity features: TF-IDF over unigrams and bigrams of lower-cased words (English
/// stop words removed), sublinear term frequency, smoothed idf, rows L2-normalised; the
/// vocabulary is the most document-frequent terms of the training papers seen at least twice.
/// </summary>
internal sealed partial class TfIdf
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly float[] _idf;

    private TfIdf(Dictionary<string, int> vocabulary, float[] idf)
    {
        _vocabulary = vocabulary;
        _idf = idf;
    }

    public int Dimensions => _idf.Length;

    public static TfIdf Fit(IEnumerable<string> documents, int maxFeatures = 20_000, int minDocumentFrequency = 2)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var n = 0;
        foreach (var doc in documents)
        {
            n++;
            foreach (var term in Terms(doc).Distinct())
                df[term] = df.GetValueOrDefault(term) + 1;
        }
        var kept = df.Where(t => t.Value >= minDocumentFrequency)
            .OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal)
            .Take(maxFeatures).ToList();
        var vocabulary = kept.Select((t, i) => (t.Key, i)).ToDictionary(t => t.Key, t => t.i, StringComparer.Ordinal);
        var idf = kept.Select(t => (float)(Math.Log((1.0 + n) / (1.0 + t.Value)) + 1)).ToArray();
        return new TfIdf(vocabulary, idf);
    }

    public (int[] Index, float[] Value) Transform(string document)
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
                value[i] /= norm;
        return (index, value);
    }

    public SparseFeatures Transform(IReadOnlyList<string> documents) =>
        new(documents.Select(Transform).ToArray(), Dimensions);

    /// <summary>Unigrams and bigrams of the words left after removing stop words.</summary>
    internal static IEnumerable<string> Terms(string document)
    {
        var words = Word().Matches(document.ToLowerInvariant()).Select(m => m.Value)
            .Where(w => w.Length > 1 && !StopWords.English.Contains(w)).ToList();
        for (var i = 0; i < words.Count; i++)
        {
            yield return words[i];
            if (i + 1 < words.Count)
                yield return words[i] + " " + words[i + 1];
        }
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}

/// <summary>Sparse rows: sorted feature indexes and their values.</summary>
internal sealed class SparseFeatures((int[] Index, float[] Value)[] rows, int dimensions) : IFeatures
{
    public int Count => rows.Length;

    public int Dimensions => dimensions;

    public void Row(int row, out ReadOnlySpan<int> index, out ReadOnlySpan<float> values)
    {
        index = rows[row].Index;
        values = rows[row].Value;
    }
}
