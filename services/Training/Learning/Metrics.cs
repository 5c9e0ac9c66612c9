using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;

namespace Papers.Training.Learning;

/// <summary>Top-k accuracy of the primary category, micro/macro F1 of the tag sets against all categories, and how often the primary is among the tags.</summary>
internal sealed record TaggingMetrics(int Papers, double Top1, double Top3, double MicroF1, double MacroF1, double MicroPrecision, double MicroRecall, double TagsPerPaper, double PrimaryShown)
{
    /// <summary>
    /// A gold label that is a bare archive (an old paper's <c>astro-ph</c>) is matched by any
    /// category of that archive: predictions are coarsened to the gold's granularity first.
    /// Macro F1 averages over every label that is gold for or predicted for some paper.
    /// </summary>
    public static TaggingMetrics Compute(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<Prediction> predicted)
    {
        int top1 = 0, top3 = 0, tags = 0, shown = 0;
        var tp = new Dictionary<string, int>(StringComparer.Ordinal);
        var fp = new Dictionary<string, int>(StringComparer.Ordinal);
        var fn = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < gold.Count; i++)
        {
            var g = gold[i];
            var p = predicted[i];
            if (p.Ranked.Count > 0 && Categories.Matches(p.Ranked[0], g[0]))
                top1++;
            if (p.Ranked.Take(3).Any(r => Categories.Matches(r, g[0])))
                top3++;
            if (p.Tags.Any(t => Categories.Matches(t, g[0])))
                shown++;
            var coarsened = p.Tags.Select(t => g.FirstOrDefault(l => Categories.IsCoarse(l) && Categories.Matches(t, l)) ?? t).Distinct().ToList();
            tags += coarsened.Count;
            foreach (var t in coarsened)
                Add(g.Contains(t) ? tp : fp, t);
            foreach (var l in g.Where(l => !coarsened.Contains(l)))
                Add(fn, l);
        }
        int TP = tp.Values.Sum(), FP = fp.Values.Sum(), FN = fn.Values.Sum();
        var labels = tp.Keys.Concat(fp.Keys).Concat(fn.Keys).Distinct().ToList();
        var macro = labels.Count == 0 ? 0 : labels.Average(l => F1(tp.GetValueOrDefault(l), fp.GetValueOrDefault(l), fn.GetValueOrDefault(l)));
        var n = Math.Max(1, gold.Count);
        return new TaggingMetrics(gold.Count, (double)top1 / n, (double)top3 / n, F1(TP, FP, FN), macro,
            TP + FP == 0 ? 0 : (double)TP / (TP + FP), TP + FN == 0 ? 0 : (double)TP / (TP + FN), (double)tags / n, (double)shown / n);
    }

    private static double F1(int tp, int fp, int fn) => tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);

    private static void Add(Dictionary<string, int> counts, string label) => counts[label] = counts.GetValueOrDefault(label) + 1;
}
