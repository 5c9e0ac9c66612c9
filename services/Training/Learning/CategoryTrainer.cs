using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;

namespace Papers.Training.Learning;

/// <summary>
/// Fits a <see cref="CategoryClassifier"/>: class-balanced soft targets (the primary gets
/// <see cref="PrimaryMass"/>, secondaries share the rest; a coarse label lets the model pick
/// within its archive), each category's description as an example of it when the caller gives
/// them (<see cref="DescriptionPrior"/>), calibration on out-of-fold predictions of an inner cross-validation
/// (temperature and description fallback by likelihood of the primary, Platt for tag scores,
/// the tag threshold by F1), then the softmax refitted on all rows.
/// </summary>
internal sealed record CategoryTrainer
{
    public SoftmaxTrainer Softmax { get; init; } = new();

    /// <summary>Share of the target on the primary when a paper has other categories.</summary>
    public float PrimaryMass { get; init; } = 0.7f;

    /// <summary>Sample weight ∝ (papers of its primary)^-power: 0 = natural, 1 = fully balanced.</summary>
    public float BalancePower { get; init; } = 0.5f;

    public int InnerFolds { get; init; } = 3;

    public int MaxTags { get; init; } = 5;

    public int Seed { get; init; } = 1;

    /// <summary>Fixed tag threshold; null chooses the one with the best out-of-fold micro F1.</summary>
    public double? Threshold { get; init; }

    /// <summary>
    /// How often the primary should be among the tags shown: the smallest coverage (see
    /// <see cref="CategoryClassifier.Coverage"/>) that reaches it out of fold; null shows tags by threshold only.
    /// </summary>
    public double? PrimaryShownGoal { get; init; }

    /// <summary>
    /// A category is withheld (never shown as a tag) when, out of fold, the papers that had it
    /// among their <see cref="MaxTags"/> most probable categories show with 95% confidence that
    /// fewer than this share carry it (the Wilson bound: a handful of misses is not yet proof).
    /// </summary>
    public double MinTagPrecision { get; init; } = 0.2;

    /// <summary>
    /// Weight (in mean papers) of each category's description as one more training example of it,
    /// in every fit and never judged: a prior for categories with few or no papers; 0 = none.
    /// </summary>
    public float DescriptionPrior { get; init; } = 10;

    /// <param name="priors">Rows of <paramref name="x"/> that are categories' descriptions (see <see cref="DescriptionPrior"/>), fitted on with every fold.</param>
    public CategoryClassifier Fit(IReadOnlyList<string> classes, IFeatures x, float[][]? sims, IReadOnlyList<LabelledPaper> papers, IReadOnlyList<int> rows, TextWriter? log = null, IReadOnlyList<int>? priors = null)
    {
        priors ??= [];
        var index = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal);

        // Out-of-fold raw logits (NaN where the inner model had no such class).
        var folds = Folds.Assign(rows.Select(r => papers[r].Primary).ToList(), InnerFolds, Seed + 17);
        var oofLogits = new float[rows.Count][];
        for (var f = 0; f < InnerFolds; f++)
        {
            var train = rows.Where((_, i) => folds[i] != f).ToList();
            var inner = FitSoftmax(classes, index, x, sims, papers, train, priors);
            for (var i = 0; i < rows.Count; i++)
                if (folds[i] == f)
                    oofLogits[i] = CategoryClassifier.Expand(inner.ActiveLogits(x, rows[i], sims?[rows[i]]), inner.Active, classes.Count);
        }
        var gold = rows.Select(r => papers[r].Categories).ToList();
        var oofSims = sims is null ? null : rows.Select(r => sims[r]).ToArray();

        // Temperature and fallback by the likelihood of the primary, coordinate by coordinate.
        double t = 1, beta = sims is null ? 0 : 20, gamma = sims is null ? -30 : -10;
        double Loss(double temperature, double slope, double offset)
        {
            var loss = 0.0;
            for (var i = 0; i < rows.Count; i++)
            {
                var p = CategoryClassifier.Probabilities(oofLogits[i], oofSims?[i], temperature, slope, offset);
                var mass = 0.0;
                for (var c = 0; c < classes.Count; c++)
                    if (Categories.Matches(classes[c], gold[i][0]))
                        mass += p[c];
                loss -= Math.Log(Math.Max(mass, 1e-12));
            }
            return loss / rows.Count;
        }
        for (var sweep = 0; sweep < 3; sweep++)
        {
            t = Math.Exp(Calibration.Minimize(lt => Loss(Math.Exp(lt), beta, gamma), Math.Log(0.1), Math.Log(10), 25));
            // The fallback scores only categories without a row: with the description examples, none.
            if (sims is null || !oofLogits.Any(l => l.Any(float.IsNaN)))
                break;
            beta = Calibration.Minimize(b => Loss(t, b, gamma), 0, 80, 25);
            gamma = Calibration.Minimize(g => Loss(t, beta, g), -40, 10, 25);
        }

        // Tag scores: Platt on log p of each paper's ten most probable classes.
        var oofProbabilities = Enumerable.Range(0, rows.Count)
            .Select(i => CategoryClassifier.Probabilities(oofLogits[i], oofSims?[i], t, beta, gamma)).ToList();
        var scores = new List<double>();
        var labels = new List<bool>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (gold[i].Any(Categories.IsCoarse))
                continue;
            foreach (var c in Enumerable.Range(0, classes.Count).OrderByDescending(c => oofProbabilities[i][c]).Take(10))
            {
                scores.Add(Math.Log(Math.Max(oofProbabilities[i][c], 1e-12)));
                labels.Add(gold[i].Contains(classes[c]));
            }
        }
        var (a, b) = Calibration.Platt(scores, labels);

        var final = FitSoftmax(classes, index, x, sims, papers, rows, priors);
        final.Temperature = t;
        final.FallbackSlope = beta;
        final.FallbackOffset = gamma;
        final.TagA = a;
        final.TagB = b;
        final.Withheld = Untrusted(classes, oofProbabilities, gold);
        final.Threshold = Threshold ?? BestThreshold(final, oofProbabilities, gold);
        if (PrimaryShownGoal is { } goal)
            final.Coverage = LeastCoverage(final, oofProbabilities, gold, goal);
        log?.WriteLine($"    fitted {final.Active.Length} classes on {rows.Count} papers: T={t:F2} fallback={beta:F1}·s{gamma:+0.0;-0.0} tag=σ({a:F2}·log p{b:+0.00;-0.00}) threshold={final.Threshold:F2} coverage={final.Coverage:F2} withheld: {(final.Withheld.Count == 0 ? "none" : string.Join(", ", final.Withheld.Order(StringComparer.Ordinal)))}");
        return final;
    }

    /// <summary>The categories whose out-of-fold precision among the most probable is surely below <see cref="MinTagPrecision"/>.</summary>
    private HashSet<string> Untrusted(IReadOnlyList<string> classes, List<double[]> probabilities, List<IReadOnlyList<string>> gold)
    {
        var appearances = new int[classes.Count];
        var right = new int[classes.Count];
        for (var i = 0; i < probabilities.Count; i++)
        {
            foreach (var c in Enumerable.Range(0, classes.Count).OrderByDescending(c => probabilities[i][c]).Take(MaxTags))
            {
                appearances[c]++;
                // An old paper's bare archive (astro-ph) is right for any of its categories, as when judging.
                right[c] += gold[i].Any(g => Categories.Matches(classes[c], g)) ? 1 : 0;
            }
        }
        return Enumerable.Range(0, classes.Count).Where(c => appearances[c] > 0 && Calibration.WilsonUpper(right[c], appearances[c]) < MinTagPrecision)
            .Select(c => classes[c]).ToHashSet(StringComparer.Ordinal);
    }

    private static double BestThreshold(CategoryClassifier model, List<double[]> probabilities, List<IReadOnlyList<string>> gold)
    {
        var best = (Threshold: 0.5, F1: -1.0);
        for (var threshold = 0.2; threshold <= 0.71; threshold += 0.05)
        {
            model.Threshold = threshold;
            var f1 = TaggingMetrics.Compute(gold, probabilities.Select(p => model.Predict(p)).ToList()).MicroF1;
            if (f1 > best.F1 + 1e-9)
                best = (threshold, f1);
        }
        return Math.Round(best.Threshold, 2);
    }

    /// <summary>The smallest coverage whose tags hold the primary for <paramref name="goal"/> of the papers out of fold (1: all <see cref="MaxTags"/> when none does).</summary>
    private static double LeastCoverage(CategoryClassifier model, List<double[]> probabilities, List<IReadOnlyList<string>> gold, double goal)
    {
        for (var coverage = 0.5; coverage < 0.995; coverage += 0.01)
        {
            model.Coverage = coverage;
            var shown = probabilities.Select(p => model.Predict(p)).Where((p, i) => p.Tags.Any(t => Categories.Matches(t, gold[i][0]))).Count();
            if (shown >= goal * probabilities.Count)
                return Math.Round(coverage, 2);
        }
        return 1;
    }

    private CategoryClassifier FitSoftmax(IReadOnlyList<string> classes, Dictionary<string, int> index, IFeatures x, float[][]? sims, IReadOnlyList<LabelledPaper> papers, IReadOnlyList<int> rows, IReadOnlyList<int> priors)
    {
        var active = rows.Concat(priors).SelectMany(r => papers[r].Categories).Where(c => !Categories.IsCoarse(c) && index.ContainsKey(c))
            .Distinct().Select(c => index[c]).Order().ToArray();
        var slot = active.Select((c, k) => (c, k)).ToDictionary(t => t.c, t => t.k);
        var counts = rows.GroupBy(r => papers[r].Primary).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        // Papers whose labels have no class here (a bare archive with no category of it seen) teach nothing.
        var usable = rows.Select(r => (Row: r, Target: MakeTarget(papers[r], classes, index, slot, counts)))
            .Where(t => t.Target.Fine.Length + t.Target.Coarse.Length > 0).ToList();
        var meanWeight = usable.Average(t => t.Target.Weight);
        var targets = usable.Select(t => t.Target with { Weight = t.Target.Weight / meanWeight }).ToList();
        targets.AddRange(priors.Select(r => new Target([(slot[index[papers[r].Primary]], 1f)], [], DescriptionPrior)));

        float[][]? extra = null;
        if (sims is not null)
        {
            extra = new float[x.Count][];
            foreach (var r in rows.Concat(priors))
                extra[r] = CategoryClassifier.Align(sims[r], active);
        }
        var softmax = Softmax.Fit(x, [.. usable.Select(t => t.Row), .. priors], targets, active.Length, extra);
        return new CategoryClassifier { Classes = classes, Active = active, Softmax = softmax, UsesDescriptions = sims is not null, MaxTags = MaxTags };
    }

    private Target MakeTarget(LabelledPaper paper, IReadOnlyList<string> classes, Dictionary<string, int> index, Dictionary<int, int> slot, Dictionary<string, int> counts)
    {
        var labels = paper.Categories;
        var fine = new List<(int, float)>();
        var coarse = new List<(int[], float)>();
        for (var i = 0; i < labels.Count; i++)
        {
            var mass = labels.Count == 1 ? 1f : i == 0 ? PrimaryMass : (1 - PrimaryMass) / (labels.Count - 1);
            if (Categories.IsCoarse(labels[i]))
            {
                var set = slot.Where(s => Categories.ArchiveOf(classes[s.Key]) == labels[i]).Select(s => s.Value).ToArray();
                if (set.Length > 0)
                    coarse.Add((set, mass));
            }
            else if (index.TryGetValue(labels[i], out var c) && slot.TryGetValue(c, out var k))
                fine.Add((k, mass));
        }
        var total = fine.Sum(f => f.Item2) + coarse.Sum(f => f.Item2);
        if (total == 0)
            return new Target([], [], 0);
        return new Target(
            fine.Select(f => (f.Item1, f.Item2 / total)).ToArray(),
            coarse.Select(f => (f.Item1, f.Item2 / total)).ToArray(),
            MathF.Pow(counts[paper.Primary], -BalancePower));
    }
}
