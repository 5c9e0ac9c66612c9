using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;

namespace Papers.Training.Learning;

/// <summary>Precision, recall and F1 of one category's tags on the validation papers.</summary>
public sealed record CategoryScore(string Category, int Support, int Predicted, double Precision, double Recall, double F1);

/// <summary>Primary-category accuracy of one archive's papers (by gold primary).</summary>
public sealed record ArchiveScore(string Archive, int Papers, double Top1, double Top3, double PrimaryShown);

/// <summary>
/// How a tagger did on validation papers: top-1/top-3 of the primary, how often the primary is
/// among the tags shown, micro/macro F1 of the tag sets, tags per paper, the expected calibration
/// error of the primary's probability (10 bins), and the same per category and per archive.
/// </summary>
public sealed record ModelEvaluation(
    int Papers, double Top1, double Top3, double PrimaryShown, double MicroF1, double MacroF1, double TagsPerPaper, double CalibrationError,
    IReadOnlyList<CategoryScore> Categories, IReadOnlyList<ArchiveScore> Archives)
{
    /// <summary>Judges <paramref name="model"/> on labelled papers with their embeddings.</summary>
    internal static ModelEvaluation Of(TaggerModel model, IReadOnlyList<TrainingExample> examples)
    {
        var gold = examples.Select(e => e.Paper.Categories).ToList();
        var probabilities = examples.Select(e => model.Probabilities(e.Vector)).ToList();
        var predictions = probabilities.Select(p => model.Classifier.Predict(p)).ToList();
        var confidence = probabilities.Select(p => p.Max()).ToList();
        return Of(gold, predictions, confidence);
    }

    internal static ModelEvaluation Of(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<Prediction> predictions, IReadOnlyList<double> confidence)
    {
        var overall = TaggingMetrics.Compute(gold, predictions);
        var archives = Enumerable.Range(0, gold.Count).GroupBy(i => Enrichment.Tagging.Categories.ArchiveOf(gold[i][0]))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var m = TaggingMetrics.Compute(g.Select(i => gold[i]).ToList(), g.Select(i => predictions[i]).ToList());
                return new ArchiveScore(g.Key, g.Count(), m.Top1, m.Top3, m.PrimaryShown);
            }).ToList();
        return new ModelEvaluation(gold.Count, overall.Top1, overall.Top3, overall.PrimaryShown, overall.MicroF1, overall.MacroF1, overall.TagsPerPaper,
            ExpectedCalibrationError(gold, predictions, confidence), PerCategory(gold, predictions), archives);
    }

    /// <summary>Σ over 10 equal-width confidence bins of (share of papers) × |accuracy − mean confidence| of the top-1 primary.</summary>
    private static double ExpectedCalibrationError(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<Prediction> predictions, IReadOnlyList<double> confidence)
    {
        if (gold.Count == 0)
            return 0;
        return Enumerable.Range(0, gold.Count).GroupBy(i => Math.Min(9, (int)(confidence[i] * 10)))
            .Sum(bin =>
            {
                var accuracy = bin.Average(i => Enrichment.Tagging.Categories.Matches(predictions[i].Ranked[0], gold[i][0]) ? 1.0 : 0.0);
                return (double)bin.Count() / gold.Count * Math.Abs(accuracy - bin.Average(i => confidence[i]));
            });
    }

    private static List<CategoryScore> PerCategory(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<Prediction> predictions)
    {
        var labels = gold.SelectMany(g => g).Concat(predictions.SelectMany(p => p.Tags)).Where(l => !Enrichment.Tagging.Categories.IsCoarse(l))
            .Distinct().Order(StringComparer.Ordinal);
        return labels.Select(label =>
        {
            int tp = 0, fp = 0, fn = 0;
            for (var i = 0; i < gold.Count; i++)
            {
                bool isGold = gold[i].Contains(label), shown = predictions[i].Tags.Contains(label);
                tp += isGold && shown ? 1 : 0;
                fp += !isGold && shown ? 1 : 0;
                fn += isGold && !shown ? 1 : 0;
            }
            return new CategoryScore(label, tp + fn, tp + fp, tp + fp == 0 ? 0 : (double)tp / (tp + fp), tp + fn == 0 ? 0 : (double)tp / (tp + fn),
                tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn));
        }).ToList();
    }
}
