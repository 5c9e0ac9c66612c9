using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Papers.Domain;
using Papers.Notifications.Data;

namespace Papers.Notifications.Digests;

/// <summary>A paper chosen for a digest, why (the same words in the HTML and text parts), and its rank score.</summary>
public record DigestEntry(CandidatePaper Paper, string Reason, double Score);

/// <summary>
/// Chooses digests from one pool of candidate papers, for many subscribers: each paper is scored
/// against each followed topic, author, keyword and seed paper, once per run and not once per
/// subscriber (what is computed for a topic is kept for everyone following it), so choosing for
/// 100,000 subscribers costs a pass over each one's profile, not over every vector.
/// </summary>
/// <remarks>
/// A paper's match is its best reason: an arXiv category by the paper's tag score, a free-text or
/// defined topic and a seed paper by cosine similarity of embeddings (of the same model), a
/// followed author as 1, a keyword as 0.8 in the title and 0.6 in the abstract. Its rank adds
/// popularity (<see cref="DigestOptions.PopularityWeight"/> per tenfold upvotes). The trending
/// digest ranks by upvotes alone. Thread-safe: the bench chooses in parallel.
/// </remarks>
public sealed class DigestSelector
{
    private readonly CandidatePaper[] _papers;
    private readonly DigestOptions _options;
    private readonly Dictionary<string, int[]> _byAuthor = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, float[]> _topicScores = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, float[]> _keywordScores = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, (string Title, float[] Scores)> _seedScores = new(StringComparer.Ordinal);
    private readonly int[] _trending;

    public DigestSelector(IEnumerable<CandidatePaper> papers, DigestOptions options)
    {
        _papers = papers.Where(p => p.IsReady).ToArray();
        _options = options;
        foreach (var group in _papers.SelectMany((p, i) => p.Authors.Select(a => (Author: a.Trim(), Index: i))).GroupBy(x => x.Author, StringComparer.OrdinalIgnoreCase))
            _byAuthor[group.Key] = group.Select(x => x.Index).Distinct().ToArray();
        _trending = Enumerable.Range(0, _papers.Length).OrderByDescending(i => _papers[i].Upvotes).ThenByDescending(i => _papers[i].ArrivedAt)
            .ThenBy(i => _papers[i].PaperId, StringComparer.Ordinal).ToArray();
    }

    public int Papers => _papers.Length;

    /// <summary>Whether scores of the topic key (<see cref="DigestComposer"/> names them) are known.</summary>
    public bool HasTopic(string key) => _topicScores.ContainsKey(key);

    /// <summary>Scores every paper against a topic vector; papers embedded by another model score 0.</summary>
    public void AddTopicVector(string key, string model, float[] vector) => _topicScores[key] = Similarities(model, vector);

    public bool HasSeed(string paperId) => _seedScores.ContainsKey(paperId);

    /// <summary>Scores every paper against a seed paper's embedding.</summary>
    public void AddSeed(string paperId, string title, string model, float[] vector) => _seedScores[paperId] = (title, Similarities(model, vector));

    /// <summary>The digests of many subscribers, chosen on every core (the selector is shared, read-only once prepared).</summary>
    public IReadOnlyList<DigestEntry>[] SelectAll(IReadOnlyList<Subscriber> subscribers, Func<Subscriber, DateTime> since, Func<Subscriber, IReadOnlySet<string>> exclude,
        Func<Subscriber, string, string> topicKey)
    {
        var digests = new IReadOnlyList<DigestEntry>[subscribers.Count];
        Parallel.For(0, subscribers.Count, i => digests[i] = Select(subscribers[i], since(subscribers[i]), exclude(subscribers[i]), t => topicKey(subscribers[i], t)));
        return digests;
    }

    /// <summary>The subscriber's digest: papers that arrived after <paramref name="since"/>, not in <paramref name="exclude"/>, best first, at most <see cref="DigestOptions.MaxPapers"/>.</summary>
    public IReadOnlyList<DigestEntry> Select(Subscriber subscriber, DateTime since, IReadOnlySet<string> exclude, Func<string, string> topicKey)
    {
        bool Eligible(int i) => _papers[i].ArrivedAt > since && !exclude.Contains(_papers[i].PaperId);
        if (subscriber.Kind == DigestKind.Trending)
            return _trending.Where(Eligible).Take(_options.MaxPapers).Select(i => new DigestEntry(_papers[i], Trending(_papers[i].Upvotes), _papers[i].Upvotes)).ToList();

        // Per paper: its best match so far, and which profile item gave it (the words are written for the chosen few only).
        var best = new float[_papers.Length];
        var why = new Why[_papers.Length];
        var item = new int[_papers.Length];
        var min = (float)_options.MinTopicSimilarity;
        void Offer(float[] scores, float threshold, Why kind, int index)
        {
            for (var i = 0; i < scores.Length; i++)
                if (scores[i] >= threshold && scores[i] > best[i] && Eligible(i))
                    (best[i], why[i], item[i]) = (scores[i], kind, index);
        }
        for (var t = 0; t < subscriber.Topics.Count; t++)
        {
            var topic = subscriber.Topics[t];
            if ((ArxivTaxonomy.IsCategory(topic) ? CategoryScores(topic) : _topicScores.GetValueOrDefault(topicKey(topic))) is { } scores)
                Offer(scores, min, Why.Topic, t);
        }
        for (var a = 0; a < subscriber.Authors.Count; a++)
            foreach (var i in _byAuthor.GetValueOrDefault(subscriber.Authors[a].Trim()) ?? [])
                if (best[i] < 1 && Eligible(i))
                    (best[i], why[i], item[i]) = (1, Why.Author, a);
        for (var k = 0; k < subscriber.Keywords.Count; k++)
            Offer(_keywordScores.GetOrAdd(subscriber.Keywords[k], KeywordScores), AbstractKeyword, Why.Keyword, k);
        for (var s = 0; s < subscriber.Seeds.Count; s++)
            if (_seedScores.TryGetValue(subscriber.Seeds[s], out var seed))
                Offer(seed.Scores, min, Why.Seed, s);

        var chosen = new List<(int Index, double Rank)>();
        for (var i = 0; i < best.Length; i++)
            if (why[i] != Why.None)
                chosen.Add((i, best[i] + _options.PopularityWeight * Math.Log10(1 + _papers[i].Upvotes)));
        return chosen.OrderByDescending(c => c.Rank).ThenBy(c => _papers[c.Index].PaperId, StringComparer.Ordinal).Take(_options.MaxPapers)
            .Select(c => new DigestEntry(_papers[c.Index], Reason(subscriber, _papers[c.Index], why[c.Index], item[c.Index], best[c.Index]), c.Rank))
            .ToList();
    }

    private enum Why : byte
    {
        None,
        Topic,
        Author,
        Keyword,
        Seed,
    }

    private string Reason(Subscriber subscriber, CandidatePaper paper, Why why, int item, float score) => why switch
    {
        Why.Topic => $"matches your topic {subscriber.Topics[item]} ({Score(score)})",
        Why.Author => $"by an author you follow: {paper.Authors.First(a => string.Equals(a.Trim(), subscriber.Authors[item].Trim(), StringComparison.OrdinalIgnoreCase)).Trim()}",
        Why.Keyword => $"mentions your keyword “{subscriber.Keywords[item]}” in the {(score >= TitleKeyword ? "title" : "abstract")}",
        _ => $"similar to your seed paper “{_seedScores[subscriber.Seeds[item]].Title}” ({Score(score)})",
    };

    private static string Score(float score) => score.ToString("0.00", CultureInfo.InvariantCulture);

    private const float TitleKeyword = 0.8f, AbstractKeyword = 0.6f;

    private static string Trending(int upvotes) => $"trending: {upvotes} upvote{(upvotes == 1 ? "" : "s")}";

    private float[] CategoryScores(string category) => _topicScores.GetOrAdd(category, c =>
        _papers.Select(p => (float)(p.Tags.FirstOrDefault(t => string.Equals(t.Topic, c, StringComparison.OrdinalIgnoreCase))?.Score ?? 0)).ToArray());

    /// <summary>A keyword matches as a whole word or phrase, case-insensitively.</summary>
    private float[] KeywordScores(string keyword)
    {
        var pattern = new Regex($@"(?<!\w){Regex.Escape(keyword.Trim())}(?!\w)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        return _papers.Select(p => pattern.IsMatch(p.Title ?? "") ? TitleKeyword : pattern.IsMatch(p.Abstract ?? "") ? AbstractKeyword : 0).ToArray();
    }

    private float[] Similarities(string model, float[] vector) =>
        _papers.Select(p => p.Embedding is { } e && p.EmbeddingModel == model && e.Length == vector.Length ? TensorPrimitives.CosineSimilarity(e, vector) : 0).ToArray();
}
