using Papers.Api.Recommendations;

namespace Papers.Recommend.Lab;

/// <summary>
/// Simulated readers: a reader's library is k papers of one category from an older listing day;
/// each method learns from it (positives) against the field's recent papers (both days, less the
/// library: what each method trains against in production) and ranks the newer day's papers.
/// A ranked paper is relevant when it lists the reader's category. Precision@10 and nDCG@10 are
/// averaged over the readers of a category, then over categories, separately for the development
/// fields (where settings were chosen) and the held-out one (never looked at while choosing).
/// Ours is the Api's <see cref="LibraryRecommender"/>, its papers tagged by <see cref="LabTagger"/>;
/// the baseline is arxiv-sanity's: TF-IDF (1–2-grams, sublinear tf, df between 2 papers and
/// 10 %) and a class-balanced linear SVM with C = 0.01.
/// </summary>
internal static class ReadersEval
{
    private static readonly int[] LibrarySizes = [3, 10, 30];
    private const int Depth = 10;

    /// <summary>A category needs this many relevant and irrelevant papers on the newer day.</summary>
    private const int MinNewer = 10;

    private const string Development = "development";
    private const string HeldOut = "held out";

    private static readonly (string Field, string Older, string Newer, string Split)[] Days =
    [
        ("cs", "arxiv-cs-listing-2025-03-18.jsonl", "arxiv-cs-listing-2025-10-17.jsonl", Development),
        ("astro-ph", "arxiv-astroph-listing-2026-06-30.jsonl", "arxiv-astroph-listing-2026-07-01.jsonl", Development),
        ("2007", "arxiv-snapshot-2007-0704.0001-0600.jsonl", "arxiv-snapshot-2007-0704.0601-1200.jsonl", HeldOut),
    ];

    private sealed record Method(string Name, Func<IReadOnlyList<RecommenderPaper>, IReadOnlyList<RecommenderPaper>, IReadOnlyList<RecommenderPaper>, IReadOnlyList<string>> Rank);

    public static Task<int> RunAsync(string[] args)
    {
        var readers = IntOption(args, "--readers", 20);
        var seed = IntOption(args, "--seed", 1);
        var cache = Option(args, "--cache");
        var defaults = new RecommenderOptions();
        var ours = new LibraryRecommender(defaults with
        {
            C = DoubleOption(args, "--c", defaults.C),
            KeywordWeight = (float)DoubleOption(args, "--keyword-weight", defaults.KeywordWeight),
            Expansion = DoubleOption(args, "--expansion", defaults.Expansion),
            TagWeight = (float)DoubleOption(args, "--tag-weight", defaults.TagWeight),
            TagsFullFrom = IntOption(args, "--tags-full-from", defaults.TagsFullFrom),
        });
        var splits = Option(args, "--split") switch
        {
            null => [Development, HeldOut],
            "dev" => [Development],
            "held-out" => new[] { HeldOut },
            var other => throw new ArgumentException($"--split must be dev or held-out, not '{other}'."),
        };
        var sizes = Option(args, "--k") is null ? LibrarySizes : [IntOption(args, "--k", 3)];
        var baseline = new LinearSvm(C: 0.01);
        Method[] methods =
        [
            new("arxiv-sanity (TF-IDF + SVM)", (library, recent, candidates) => Baseline(baseline, library, recent, candidates)),
            new("ours (embedding + keywords + tags)", (library, recent, candidates) =>
                ours.Fit(library, recent).Rank(candidates, Depth).Select(r => r.PaperId).ToList()),
        ];
        // results[split][method][k] = per-category means of (precision, nDCG)
        // seconds[(split, method, k)]: fitting and ranking, all of that split's libraries of size k (two at a time)
        var seconds = new Dictionary<(string, string, int), double>();
        var results = splits.ToDictionary(s => s, _ => methods.ToDictionary(m => m.Name, _ => LibrarySizes.ToDictionary(k => k, _ => new List<(string Category, double P, double Ndcg)>())));
        foreach (var (field, olderFile, newerFile, split) in Days.Where(d => splits.Contains(d.Split)))
        {
            var older = ReaderPapers.Read(olderFile);
            var newer = ReaderPapers.Read(newerFile);
            var embedded = ReaderPapers.Embed([.. older, .. newer], cache, out var descriptions, out var modelId);
            var tags = LabTagger.Tag(older, newer, embedded.ToDictionary(p => p.Key, p => p.Value.Embedding!), descriptions, modelId);
            Console.WriteLine($"{field} ({split}): lab tagger's tags hold the primary for {Share(older, tags):P0} of the older day (out of fold), {Share(newer, tags):P0} of the newer");
            var papers = embedded.ToDictionary(p => p.Key, p => p.Value with { Tags = tags[p.Key] });
            var recent = older.Concat(newer).Select(p => papers[p.Id]).ToList();
            var candidates = newer.Select(p => papers[p.Id]).ToList();
            var categories = older.SelectMany(p => p.Categories).Distinct().Order(StringComparer.Ordinal);
            foreach (var category in categories)
            {
                var relevant = newer.Where(p => p.Categories.Contains(category)).Select(p => p.Id).ToHashSet();
                var own = older.Where(p => p.Categories.Contains(category)).ToList();
                if (relevant.Count < MinNewer || newer.Count - relevant.Count < MinNewer)
                    continue;
                foreach (var k in sizes.Where(k => own.Count >= k))
                {
                    // A seed of its own per field, category and k, stable from run to run (string hashes are not).
                    var random = new Random(StableSeed($"{seed}/{category}/{k}"));
                    var libraries = Enumerable.Range(0, readers)
                        .Select(_ => random.GetItems(own.ToArray(), own.Count).DistinctBy(p => p.Id).Take(k).Select(p => papers[p.Id]).ToList())
                        .ToList();
                    foreach (var method in methods)
                    {
                        // Readers are independent: both cores, each reader's figures in its own slot.
                        var scores = new (double P, double Ndcg)[libraries.Count];
                        Parallel.For(0, libraries.Count, i =>
                        {
                            var clock = System.Diagnostics.Stopwatch.StartNew();
                            var ranked = method.Rank(libraries[i], recent, candidates);
                            lock (seconds)
                                seconds[(split, method.Name, k)] = seconds.GetValueOrDefault((split, method.Name, k)) + clock.Elapsed.TotalSeconds;
                            scores[i] = Score(ranked, relevant);
                        });
                        results[split][method.Name][k].Add((category, scores.Average(s => s.P), scores.Average(s => s.Ndcg)));
                    }
                    Console.WriteLine($"{field,-9} {category,-18} k={k,-3} {own.Count,4} older, {relevant.Count,4}/{newer.Count} relevant newer: "
                        + string.Join("  ", methods.Select(m => $"P@10 {results[split][m.Name][k][^1].P:F2} nDCG@10 {results[split][m.Name][k][^1].Ndcg:F2}")));
                }
            }
        }
        foreach (var split in splits)
            PrintTable(split, methods.Select(m => m.Name).ToList(), results[split], sizes,
                k => methods.Select(m => seconds.GetValueOrDefault((split, m.Name, k)) * 1000 / Math.Max(1, results[split][m.Name][k].Count * readers)).ToList());
        return Task.FromResult(0);
    }

    private static double Share(IReadOnlyList<ReaderPaper> papers, Dictionary<string, IReadOnlyList<RecommenderTag>> tags) =>
        papers.Count(p => tags[p.Id].Any(t => t.Topic == p.Categories[0])) / (double)papers.Count;

    private static void PrintTable(string split, List<string> names, Dictionary<string, Dictionary<int, List<(string Category, double P, double Ndcg)>>> results, int[] sizes, Func<int, List<double>> milliseconds)
    {
        Console.WriteLine();
        Console.WriteLine($"{split}: mean over categories, precision@10 / nDCG@10; then milliseconds per library to fit and rank (two libraries at a time):");
        Console.WriteLine($"{"k",-4} {"categories",10}  " + string.Join("  ", names.Select(n => $"{n,-30}")) + "  difference (P@10)");
        var met = true;
        foreach (var k in sizes)
        {
            var means = names.Select(n => (P: results[n][k].Average(r => r.P), Ndcg: results[n][k].Average(r => r.Ndcg))).ToList();
            var gain = means[1].P - means[0].P;
            met &= means[1].P > means[0].P && means[1].Ndcg > means[0].Ndcg && (k != 3 || gain >= 0.10);
            Console.WriteLine($"{k,-4} {results[names[0]][k].Count,10}  " + string.Join("  ", means.Select(m => $"{m.P,14:F3} / {m.Ndcg,-13:F3}")) + $"  {gain * 100:+0.0;-0.0} points"
                + "   ms: " + string.Join(" / ", milliseconds(k).Select(ms => $"{ms:F0}")));
        }
        Console.WriteLine(met ? $"{split}: target met: better at every k, and by >= 10 points precision@10 at k = 3."
            : $"{split}: target NOT met (better at every k, and by >= 10 points precision@10 at k = 3).");
    }

    private static List<string> Baseline(LinearSvm svm, IReadOnlyList<RecommenderPaper> library, IReadOnlyList<RecommenderPaper> recent, IReadOnlyList<RecommenderPaper> candidates)
    {
        var saved = library.Select(p => p.PaperId).ToHashSet();
        var papers = library.Concat(recent.Where(p => !saved.Contains(p.PaperId))).ToList();
        var tfidf = KeywordFeatures.Fit(papers.Select(p => p.Text).ToList(), new KeywordFeatureOptions());
        FeatureRow Row(RecommenderPaper p)
        {
            var (index, value) = tfidf.Transform(p.Text);
            return new FeatureRow(null, index, value);
        }
        var model = svm.Fit(papers.Select(Row).ToList(), papers.Select((_, i) => i < library.Count).ToList(), tfidf.Dimensions);
        return candidates.Where(c => !saved.Contains(c.PaperId))
            .OrderByDescending(c => model.Score(Row(c))).ThenBy(c => c.PaperId, StringComparer.Ordinal)
            .Take(Depth).Select(c => c.PaperId).ToList();
    }

    private static (double P, double Ndcg) Score(IReadOnlyList<string> ranked, HashSet<string> relevant)
    {
        var hits = ranked.Take(Depth).Select(id => relevant.Contains(id)).ToList();
        var dcg = hits.Select((hit, i) => hit ? 1 / Math.Log2(i + 2) : 0).Sum();
        var ideal = Enumerable.Range(0, Math.Min(Depth, relevant.Count)).Sum(i => 1 / Math.Log2(i + 2));
        return (hits.Count(h => h) / (double)Depth, dcg / ideal);
    }

    /// <summary>A seed per reader group that is the same from run to run (string hashes are not).</summary>
    private static int StableSeed(string text) => text.Aggregate(17, (h, c) => unchecked((h * 31) + c));

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is >= 0 and var i && i + 1 < args.Length ? args[i + 1] : null;

    private static double DoubleOption(string[] args, string name, double fallback)
    {
        var text = Option(args, name);
        if (text is null)
            return fallback;
        return double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
            : throw new ArgumentException($"{name} must be a number >= 0, not '{text}'.");
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var text = Option(args, name);
        if (text is null)
            return fallback;
        return int.TryParse(text, out var value) && value > 0 ? value
            : throw new ArgumentException($"{name} must be a positive whole number, not '{text}'.");
    }
}
