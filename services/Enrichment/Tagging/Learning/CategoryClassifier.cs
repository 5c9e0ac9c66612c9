namespace Papers.Enrichment.Tagging.Learning;

/// <summary>
/// What a tagger said about one paper: categories ranked best first (the first is the predicted
/// primary; withheld categories come after every other), and the tags it would show.
/// </summary>
internal sealed record Prediction(IReadOnlyList<string> Ranked, IReadOnlyList<string> Tags);

/// <summary>
/// A fitted category classifier: a softmax over the categories that had training papers, the
/// rest scored from their description similarity (<c>β·s_c + γ</c>) when descriptions are
/// used, all divided by a temperature so that the probability of the primary is calibrated;
/// tag scores are a Platt mapping of <c>log p</c> to the probability that the category is
/// one of the paper's, and tags are those above <see cref="Threshold"/>, best first, plus the
/// most probable ones until their probabilities of being the primary add up to <see cref="Coverage"/>
/// (so the primary is among the tags shown at the rate calibration promises), never one of <see cref="Withheld"/>.
/// Loaded from the shipped model by <see cref="TaggerModel"/>; fitted by the lab's
/// <c>CategoryTrainer</c> (tools/Enrichment.Lab).
/// </summary>
internal sealed class CategoryClassifier
{
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>For each softmax row, its index in <see cref="Classes"/>.</summary>
    public required int[] Active { get; init; }

    public required SoftmaxModel Softmax { get; init; }

    public bool UsesDescriptions { get; init; }

    public double Temperature { get; set; } = 1;

    public double FallbackSlope { get; set; }

    public double FallbackOffset { get; set; } = -30;

    public double TagA { get; set; } = 1;

    public double TagB { get; set; }

    public double Threshold { get; set; } = 0.5;

    public int MaxTags { get; init; } = 5;

    /// <summary>
    /// Show the most probable categories until their primary probabilities add up to this (at
    /// most <see cref="MaxTags"/>), whatever their tag score: 0 shows only those above the threshold.
    /// </summary>
    public double Coverage { get; set; }

    /// <summary>
    /// Categories never shown, as a tag or as the predicted primary: out of fold, they were rarely
    /// the paper's when among its most probable (see the Training service's <c>CategoryTrainer</c>).
    /// They are ranked after every other category and listed in the admin report instead.
    /// </summary>
    public IReadOnlySet<string> Withheld { get; set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Raw softmax logits of one row, in <see cref="Active"/> order.</summary>
    public float[] ActiveLogits(IFeatures x, int row, float[]? sims)
    {
        var logits = new float[Active.Length];
        Softmax.Logits(x, row, UsesDescriptions && sims is not null ? Align(sims, Active) : null, logits);
        return logits;
    }

    public double[] Probabilities(IFeatures x, int row, float[]? sims) =>
        Probabilities(Expand(ActiveLogits(x, row, sims), Active, Classes.Count), UsesDescriptions ? sims : null, Temperature, FallbackSlope, FallbackOffset);

    public Prediction Predict(double[] probabilities) => Predict(probabilities, Coverage);

    /// <summary>The prediction with another coverage (0: the tags above the threshold only).</summary>
    public Prediction Predict(double[] probabilities, double coverage)
    {
        // A withheld category must not be the primary either: the primary is the first category shown.
        var ranked = Enumerable.Range(0, Classes.Count).OrderBy(c => Withheld.Contains(Classes[c])).ThenByDescending(c => probabilities[c]).ToList();
        var covered = 0.0;
        var tags = new List<string>();
        foreach (var c in ranked.Where(c => !Withheld.Contains(Classes[c])).Take(MaxTags))
        {
            if (covered < coverage || TagScore(probabilities[c]) >= Threshold)
                tags.Add(Classes[c]);
            covered += probabilities[c];
        }
        return new Prediction(ranked.Select(c => Classes[c]).ToList(), tags);
    }

    /// <summary>The position of <paramref name="category"/> in <see cref="Classes"/>.</summary>
    public int IndexOf(string category) => (_index ??= Classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal))[category];

    private Dictionary<string, int>? _index;

    public double TagScore(double probability) => Sigmoid(TagA * Math.Log(Math.Max(probability, 1e-12)) + TagB);

    /// <summary>σ(z) = 1 / (1 + e^-z), computed without overflow.</summary>
    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    /// <summary>
    /// Calibrated probabilities over all classes from raw logits (NaN for a class without a
    /// softmax row): seen classes <c>z/T</c>, the others <c>β·s + γ</c> when similarities are given.
    /// </summary>
    public static double[] Probabilities(float[] logits, float[]? sims, double temperature, double slope, double offset)
    {
        var z = new double[logits.Length];
        var max = double.NegativeInfinity;
        for (var c = 0; c < z.Length; c++)
        {
            z[c] = !float.IsNaN(logits[c]) ? logits[c] / temperature
                : sims is not null ? slope * sims[c] + offset
                : double.NegativeInfinity;
            max = Math.Max(max, z[c]);
        }
        var sum = 0.0;
        for (var c = 0; c < z.Length; c++)
            sum += z[c] = Math.Exp(z[c] - max);
        for (var c = 0; c < z.Length; c++)
            z[c] /= sum;
        return z;
    }

    public static float[] Expand(float[] activeLogits, int[] active, int classes)
    {
        var all = new float[classes];
        Array.Fill(all, float.NaN);
        for (var k = 0; k < active.Length; k++)
            all[active[k]] = activeLogits[k];
        return all;
    }

    public static float[] Align(float[] sims, int[] active)
    {
        var aligned = new float[active.Length];
        for (var k = 0; k < active.Length; k++)
            aligned[k] = sims[active[k]];
        return aligned;
    }
}
