using System.Diagnostics.Metrics;
using Papers.ServiceDefaults.Telemetry;

namespace Papers.Enrichment.Keywords;

/// <summary>Section <c>Keywords</c>.</summary>
public sealed class KeywordOptions
{
    public const string Section = "Keywords";

    /// <summary>
    /// Keyphrase candidates whose embeddings are kept for reuse, least recently used dropped first
    /// (about 1.7 KB each at 384 dimensions); 0 turns the cache off. Phrases recur from paper to
    /// paper ("large language models", "reinforcement learning"), and each one kept is a model
    /// call saved.
    /// </summary>
    public int PhraseCacheSize { get; set; } = 20_000;
}

/// <summary>
/// Embeddings of keyphrase candidates by model id and phrase, least recently used evicted first.
/// A vector handed out is shared: callers only read it. Thread-safe.
/// </summary>
public sealed class PhraseVectorCache
{
    private static readonly Counter<long> Lookups = PapersTelemetry.Meter.CreateCounter<long>("papers.enrichment.phrase_cache.lookups",
        description: "Keyphrase candidates looked up in the phrase embedding cache, by outcome (hit: no model call)");

    private readonly int _capacity;
    private readonly Dictionary<(string Model, string Phrase), LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = [];
    private readonly Lock _lock = new();

    public PhraseVectorCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_lock)
                return _entries.Count;
        }
    }

    /// <summary>Fills <paramref name="found"/> with the phrases cached for <paramref name="model"/>; returns the others, in order.</summary>
    public List<string> Lookup(string model, IReadOnlyList<string> phrases, Dictionary<string, float[]> found)
    {
        var missing = new List<string>();
        lock (_lock)
        {
            foreach (var phrase in phrases)
            {
                if (_entries.TryGetValue((model, phrase), out var node))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    found[phrase] = node.Value.Vector;
                }
                else
                    missing.Add(phrase);
            }
        }
        if (phrases.Count > missing.Count)
            Lookups.Add(phrases.Count - missing.Count, new KeyValuePair<string, object?>("outcome", "hit"));
        if (missing.Count > 0)
            Lookups.Add(missing.Count, new KeyValuePair<string, object?>("outcome", "miss"));
        return missing;
    }

    /// <summary>Keeps the vectors of <paramref name="phrases"/>, evicting the least recently used beyond the capacity.</summary>
    public void Add(string model, IReadOnlyList<string> phrases, IReadOnlyList<float[]> vectors)
    {
        if (_capacity == 0)
            return;
        lock (_lock)
        {
            for (var i = 0; i < phrases.Count; i++)
            {
                var key = (model, phrases[i]);
                if (_entries.TryGetValue(key, out var existing))
                {
                    _recency.Remove(existing);
                    _entries.Remove(key);
                }
                _entries[key] = _recency.AddFirst(new Entry(key, vectors[i]));
                if (_entries.Count > _capacity)
                {
                    var oldest = _recency.Last!;
                    _recency.RemoveLast();
                    _entries.Remove(oldest.Value.Key);
                }
            }
        }
    }

    private sealed record Entry((string Model, string Phrase) Key, float[] Vector);
}
