namespace Papers.Api.Recommendations;

/// <summary>
/// A paper as the recommender sees it: its text (title, abstract, authors), its embedding if it
/// has one of the current model, and its topic tags (the tagger's shown categories and scores).
/// </summary>
public sealed record RecommenderPaper(string PaperId, string Text, float[]? Embedding, IReadOnlyList<RecommenderTag>? Tags = null);

/// <summary>A topic tag of a paper, as Enrichment stored it: the topic and its calibrated score.</summary>
public sealed record RecommenderTag(string Topic, double Score);

/// <summary>A recommended paper, its score, and the saved papers it resembles most (the "why").</summary>
public sealed record Recommendation(string PaperId, double Score, IReadOnlyList<string> Resembles);

/// <summary>How a library's model is fitted; the caps bound the cost of one fit.</summary>
public sealed record RecommenderOptions
{
    /// <summary>The SVM's C (per unit of class weight): smaller trusts the library's few papers less.</summary>
    public double C { get; init; } = 0.01;

    /// <summary>Length of the keyword part of a row next to the unit-length embedding.</summary>
    public float KeywordWeight { get; init; } = 1f;

    /// <summary>
    /// Multiplies a paper's topic-tag scores in its row, for a library of <see cref="TagsFullFrom"/>
    /// papers or more; a smaller library gets that share of it (0: tags unused). Few saved papers
    /// tell the model little about which of their tags matter, and a wrong tag then outweighs
    /// what their words and meaning share (measured on the lab's development days, cs.AI and
    /// cs.CL: full-weight tags cost readers of 3 papers 6.6 points of precision@10, and gained
    /// cs.AI readers of 30 18 points).
    /// </summary>
    public float TagWeight { get; init; } = 1f;

    public int TagsFullFrom { get; init; } = 30;

    /// <summary>The tag weight for a library of <paramref name="positives"/> papers.</summary>
    public float TagWeightFor(int positives) => TagWeight * Math.Min(1f, positives / (float)Math.Max(1, TagsFullFrom));

    /// <summary>Saved papers a fit reads at most (the most recently saved).</summary>
    public int MaxPositives { get; init; } = 500;

    /// <summary>Recent papers a fit reads at most (the most recent).</summary>
    public int MaxNegatives { get; init; } = 2_000;

    /// <summary>Passes of the solver over the rows at most, per fit (two fits with <see cref="Expansion"/>).</summary>
    public int MaxPasses { get; init; } = 50;

    /// <summary>Recent papers the second fit counts as saved: this many per saved paper, plus <see cref="ExpansionMin"/> (0 and 0: one fit).</summary>
    public double Expansion { get; init; } = 1;

    public int ExpansionMin { get; init; } = 3;

    public KeywordFeatureOptions Keywords { get; init; } = new();
}

/// <summary>
/// "For you": a per-library linear model. Positives are the library's papers, negatives the
/// recent papers (most of which the reader did not keep); a row is the paper's embedding next
/// to its TF-IDF keywords and its topic tags, so the model learns what the papers mean, the
/// words they use and the topics the tagger sees in them (the tags weigh in as the library
/// grows: <see cref="RecommenderOptions.TagWeightFor"/>). One fit reads at most <see cref="RecommenderOptions.MaxPositives"/> +
/// <see cref="RecommenderOptions.MaxNegatives"/> papers and makes at most
/// <see cref="RecommenderOptions.MaxPasses"/> passes over them.
/// </summary>
public sealed class LibraryRecommender(RecommenderOptions options)
{
    public RecommenderOptions Options => options;

    /// <param name="library">The saved papers, most recently saved first.</param>
    /// <param name="recent">Recent papers, newest first (saved ones are skipped).</param>
    public LibraryModel Fit(IReadOnlyList<RecommenderPaper> library, IReadOnlyList<RecommenderPaper> recent)
    {
        var positives = library.DistinctBy(p => p.PaperId).Take(options.MaxPositives).ToList();
        var saved = positives.Select(p => p.PaperId).ToHashSet(StringComparer.Ordinal);
        var negatives = recent.Where(p => !saved.Contains(p.PaperId)).DistinctBy(p => p.PaperId).Take(options.MaxNegatives).ToList();
        if (positives.Count == 0 || negatives.Count == 0)
            throw new ArgumentException("A model needs saved papers and recent papers.");
        var papers = positives.Concat(negatives).ToList();
        var keywords = KeywordFeatures.Fit(papers.Select(p => p.Text).ToList(), options.Keywords);
        var dense = papers.Select(p => p.Embedding?.Length).FirstOrDefault(d => d is > 0) ?? 0;
        var tagWeight = options.TagWeightFor(positives.Count);
        var topics = tagWeight == 0 ? [] : papers.SelectMany(p => p.Tags ?? []).Select(t => t.Topic).Distinct().Order(StringComparer.Ordinal).ToList();
        var featurizer = new Featurizer(keywords, dense, options.KeywordWeight, topics, tagWeight);
        var rows = papers.Select(featurizer.Row).ToList();
        var labels = papers.Select((_, i) => i < positives.Count).ToList();
        var svm = new LinearSvm(options.C, options.MaxPasses);
        var model = svm.Fit(rows, labels, featurizer.Dimensions);
        var expand = (int)(options.Expansion * positives.Count) + options.ExpansionMin;
        if (expand > 0)
        {
            // Pseudo-relevance feedback: the recent papers the first model likes best are probably
            // papers the reader would keep, so a second fit counts them with the library.
            var best = Enumerable.Range(positives.Count, negatives.Count).OrderByDescending(i => model.Score(rows[i])).Take(expand).ToHashSet();
            model = svm.Fit(rows, labels.Select((l, i) => l || best.Contains(i)).ToList(), featurizer.Dimensions);
        }
        return new LibraryModel(model, featurizer, positives.Select((p, i) => (p.PaperId, rows[i])).ToList(), saved);
    }

    /// <summary>A paper's row: its embedding, then its keywords, then its topic tags (one feature per topic the fitted papers carry).</summary>
    internal sealed class Featurizer(KeywordFeatures keywords, int dense, float keywordWeight, IReadOnlyList<string> topics, float tagWeight)
    {
        private readonly Dictionary<string, int> _topics = topics.Select((t, i) => (t, i)).ToDictionary(t => t.t, t => keywords.Dimensions + t.i, StringComparer.Ordinal);

        public int Dimensions => dense + keywords.Dimensions + _topics.Count;

        public FeatureRow Row(RecommenderPaper paper)
        {
            // A paper without a vector of this model (not enriched yet) is judged by its words alone.
            var vector = paper.Embedding is { } e && e.Length == dense ? e : null;
            var (index, value) = keywords.Transform(paper.Text, keywordWeight);
            // Topic indexes follow the keywords', so the sparse part stays sorted; a topic no fitted paper has is no feature.
            var tags = (paper.Tags ?? []).Where(t => _topics.ContainsKey(t.Topic)).DistinctBy(t => t.Topic).OrderBy(t => _topics[t.Topic]).ToList();
            if (tags.Count > 0)
            {
                index = [.. index, .. tags.Select(t => _topics[t.Topic])];
                value = [.. value, .. tags.Select(t => (float)t.Score * tagWeight)];
            }
            return new FeatureRow(dense == 0 ? null : vector ?? new float[dense], index, value);
        }
    }
}

/// <summary>A fitted library model: ranks candidates and says which saved papers each resembles.</summary>
public sealed class LibraryModel
{
    private readonly LinearModel _model;
    private readonly LibraryRecommender.Featurizer _featurizer;
    private readonly IReadOnlyList<(string PaperId, FeatureRow Row)> _saved;
    private readonly HashSet<string> _savedIds;

    internal LibraryModel(LinearModel model, LibraryRecommender.Featurizer featurizer, IReadOnlyList<(string, FeatureRow)> saved, HashSet<string> savedIds)
    {
        _model = model;
        _featurizer = featurizer;
        _saved = saved;
        _savedIds = savedIds;
    }

    /// <summary>The best <paramref name="top"/> candidates not in the library, best first, each with up to <paramref name="because"/> saved papers it is closest to.</summary>
    public IReadOnlyList<Recommendation> Rank(IEnumerable<RecommenderPaper> candidates, int top, int because = 2) =>
        candidates.Where(c => !_savedIds.Contains(c.PaperId)).DistinctBy(c => c.PaperId)
            .Select(c => (Paper: c, Row: _featurizer.Row(c)))
            .Select(c => (c.Paper, c.Row, Score: _model.Score(c.Row)))
            .OrderByDescending(c => c.Score).ThenBy(c => c.Paper.PaperId, StringComparer.Ordinal)
            .Take(top)
            .Select(c => new Recommendation(c.Paper.PaperId, c.Score, Resembles(c.Row, because)))
            .ToList();

    private List<string> Resembles(FeatureRow row, int because) =>
        _saved.Select(s => (s.PaperId, Similarity: Similarity(row, s.Row)))
            .OrderByDescending(s => s.Similarity).ThenBy(s => s.PaperId, StringComparer.Ordinal)
            .Take(because).Select(s => s.PaperId).ToList();

    /// <summary>Dot product of two rows: cosine of the embeddings plus the weighted keyword overlap.</summary>
    private static double Similarity(FeatureRow a, FeatureRow b)
    {
        double sum = 0;
        if (a.Dense is { } x && b.Dense is { } y)
            for (var i = 0; i < x.Length; i++)
                sum += x[i] * y[i];
        int p = 0, q = 0;
        while (p < a.Index.Length && q < b.Index.Length)
        {
            if (a.Index[p] == b.Index[q])
                sum += a.Value[p++] * b.Value[q++];
            else if (a.Index[p] < b.Index[q])
                p++;
            else
                q++;
        }
        return sum;
    }
}
