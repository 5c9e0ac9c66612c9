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
/// Chooses digests from one pool of candidate papers, for many subscribers: the papers matching
/// each followed topic, author, keyword and seed paper are found once per run, not once per
/// subscriber (kept for everyone following the same), so choosing a subscriber's digest costs a
/// pass over the matches of their profile, not over every paper and vector.
/// </summary>
/// <remarks>
/// A paper's match is its best reason: an arXiv category by the paper's tag score, a free-text or
/// defined topic and a seed paper by cosine similarity of embeddings (of the same model), at least
/// <see cref="DigestOptions.MinTopicSimilarity"/>; a followed author as 1, a keyword as 0.8 in
/// the title and 0.6 in the abstract. Its rank adds popularity (<see cref="DigestOptions.PopularityWeight"/>
/// per tenfold upvotes). The trending digest ranks by upvotes alone. Thread-safe once prepared.
/// </remarks>
public sealed class DigestSelector
{
    private const float TitleKeyword = 0.8f, AbstractKeyword = 0.6f;

    private readonly CandidatePaper[] _papers;
    private readonly DigestOptions _options;
    private readonly Dictionary<string, Match[]> _byAuthor = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Match[]> _topics = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Match[]> _keywords = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, (string Title, Match[] Matches)> _seeds = new(StringComparer.Ordinal);
    private readonly int[] _trending;
    private readonly ThreadLocal<Scratch> _scratch;

    /// <summary>A paper (by its index) that matches a profile item, and how well.</summary>
    private readonly record struct Match(int Index, float Score);

    private enum Why : byte
    {
        None,
        Topic,
        Author,
        Keyword,
        Seed,
    }

    /// <summary>Per thread: each paper's best match for the subscriber being chosen for, and which papers were touched (reset after each).</summary>
    private sealed class Scratch(int papers)
    {
        public readonly float[] Best = new float[papers];
        public readonly Why[] Why = new Why[papers];
        public readonly int[] Item = new int[papers];
        public readonly List<int> Touched = [];
    }

    public DigestSelector(IEnumerable<CandidatePaper> papers, DigestOptions options)
    {
        _papers = papers.Where(p => p.IsReady).ToArray();
        _options = options;
        foreach (var group in _papers.SelectMany((p, i) => p.Authors.Select(a => (Author: a.Trim(), Index: i))).GroupBy(x => x.Author, StringComparer.OrdinalIgnoreCase))
            _byAuthor[group.Key] = [.. group.Select(x => x.Index).Distinct().Select(i => new Match(i, 1))];
        _trending = [.. Enumerable.Range(0, _papers.Length).OrderByDescending(i => _papers[i].Upvotes).ThenByDescending(i => _papers[i].ArrivedAt)
            .ThenBy(i => _papers[i].PaperId, StringComparer.Ordinal)];
        _scratch = new ThreadLocal<Scratch>(() => new Scratch(_papers.Length));
    }

    public int Papers => _papers.Length;

    /// <summary>Finds the papers similar enough to a topic vector; papers embedded by another model don't compare.</summary>
    public void AddTopicVector(string key, string model, float[] vector) => _topics[key] = Similar(model, vector);

    /// <summary>Finds the papers similar enough to a seed paper's embedding.</summary>
    public void AddSeed(string paperId, string title, string model, float[] vector) => _seeds[paperId] = (title, Similar(model, vector));

    /// <summary>The digests of many subscribers, chosen on every core.</summary>
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
        if (subscriber.Kind == DigestKind.ForYou)
            return []; // chosen from the subscriber's library (LibraryDigests), not from this pool
        if (subscriber.Kind == DigestKind.Trending)
            return [.. _trending.Where(Eligible).Take(_options.MaxPapers).Select(i => new DigestEntry(_papers[i], Trending(_papers[i].Upvotes), _papers[i].Upvotes))];

        var s = _scratch.Value!;
        void Offer(Match[] matches, Why why, int item)
        {
            foreach (var (i, score) in matches)
                if (score > s.Best[i] && Eligible(i))
                {
                    if (s.Why[i] == Why.None)
                        s.Touched.Add(i);
                    (s.Best[i], s.Why[i], s.Item[i]) = (score, why, item);
                }
        }
        for (var t = 0; t < subscriber.Topics.Count; t++)
        {
            var topic = subscriber.Topics[t];
            if ((ArxivTaxonomy.IsCategory(topic) ? _topics.GetOrAdd(topic, CategoryMatches) : _topics.GetValueOrDefault(topicKey(topic))) is { } matches)
                Offer(matches, Why.Topic, t);
        }
        for (var a = 0; a < subscriber.Authors.Count; a++)
            if (_byAuthor.GetValueOrDefault(subscriber.Authors[a].Trim()) is { } matches)
                Offer(matches, Why.Author, a);
        for (var k = 0; k < subscriber.Keywords.Count; k++)
            Offer(_keywords.GetOrAdd(subscriber.Keywords[k], KeywordMatches), Why.Keyword, k);
        for (var d = 0; d < subscriber.Seeds.Count; d++)
            if (_seeds.TryGetValue(subscriber.Seeds[d], out var seed))
                Offer(seed.Matches, Why.Seed, d);

        // The best few of often hundreds of matches: kept in order as they come, not sorting them all.
        var top = new List<(int Index, double Rank)>(_options.MaxPapers + 1);
        foreach (var i in s.Touched)
        {
            var rank = s.Best[i] + _options.PopularityWeight * Math.Log10(1 + _papers[i].Upvotes);
            if (top.Count == _options.MaxPapers && !Before(rank, i, top[^1]))
                continue;
            var at = top.Count;
            while (at > 0 && Before(rank, i, top[at - 1]))
                at--;
            top.Insert(at, (i, rank));
            if (top.Count > _options.MaxPapers)
                top.RemoveAt(top.Count - 1);
        }
        var chosen = top.Select(c => new DigestEntry(_papers[c.Index], Reason(subscriber, _papers[c.Index], s.Why[c.Index], s.Item[c.Index], s.Best[c.Index]), c.Rank))
            .ToList();
        foreach (var i in s.Touched)
            (s.Best[i], s.Why[i], s.Item[i]) = (0, Why.None, 0);
        s.Touched.Clear();
        return chosen;
    }

    /// <summary>Higher rank first; of equal ranks, the smaller paper id.</summary>
    private bool Before(double rank, int index, (int Index, double Rank) other) =>
        rank > other.Rank || rank == other.Rank && string.CompareOrdinal(_papers[index].PaperId, _papers[other.Index].PaperId) < 0;

    private string Reason(Subscriber subscriber, CandidatePaper paper, Why why, int item, float score) => why switch
    {
        Why.Topic => $"matches your topic {subscriber.Topics[item]} ({Score(score)})",
        Why.Author => $"by an author you follow: {paper.Authors.First(a => string.Equals(a.Trim(), subscriber.Authors[item].Trim(), StringComparison.OrdinalIgnoreCase)).Trim()}",
        Why.Keyword => $"mentions your keyword “{subscriber.Keywords[item]}” in the {(score >= TitleKeyword ? "title" : "abstract")}",
        _ => $"similar to your seed paper “{_seeds[subscriber.Seeds[item]].Title}” ({Score(score)})",
    };

    private static string Score(float score) => score.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Trending(int upvotes) => $"trending: {upvotes} upvote{(upvotes == 1 ? "" : "s")}";

    private Match[] CategoryMatches(string category) => Matches(_papers.Select(p =>
        (float)(p.Tags.FirstOrDefault(t => string.Equals(t.Topic, category, StringComparison.OrdinalIgnoreCase))?.Score ?? 0)), (float)_options.MinTopicSimilarity);

    /// <summary>A keyword matches as a whole word or phrase, case-insensitively.</summary>
    private Match[] KeywordMatches(string keyword)
    {
        var pattern = new Regex($@"(?<!\w){Regex.Escape(keyword.Trim())}(?!\w)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        return Matches(_papers.Select(p => pattern.IsMatch(p.Title ?? "") ? TitleKeyword : pattern.IsMatch(p.Abstract ?? "") ? AbstractKeyword : 0), AbstractKeyword);
    }

    private Match[] Similar(string model, float[] vector) => Matches(_papers.Select(p =>
        p.Embedding is { } e && p.EmbeddingModel == model && e.Length == vector.Length ? TensorPrimitives.CosineSimilarity(e, vector) : 0), (float)_options.MinTopicSimilarity);

    private static Match[] Matches(IEnumerable<float> scores, float threshold) =>
        [.. scores.Select((score, i) => new Match(i, score)).Where(m => m.Score >= threshold)];
}
