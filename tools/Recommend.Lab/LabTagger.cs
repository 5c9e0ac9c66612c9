using Papers.Api.Recommendations;
using Papers.Enrichment.Tagging;
using Papers.Training.Learning;

namespace Papers.Recommend.Lab;

/// <summary>
/// The topic tags every stored paper carries, as Enrichment's <c>TopicTagger</c> stores them (the
/// categories the classifier shows, each with its tag score), from a tagger fitted in the lab with
/// the Training service's own recipe (<see cref="TaggerFitter.FitModel"/>) on a field's older day
/// only: the shipped tagger trained on these very listing days, so it would know the answers. The
/// older day's papers (the libraries) get their tags out of fold, so a saved paper's tags are a
/// prediction too, never its labels; the newer day's papers (the candidates) get them from a fit on
/// the whole older day.
/// </summary>
internal static class LabTagger
{
    private const int Folds = 5;

    public static Dictionary<string, IReadOnlyList<RecommenderTag>> Tag(IReadOnlyList<ReaderPaper> older, IReadOnlyList<ReaderPaper> newer,
        IReadOnlyDictionary<string, float[]> vectors, float[][] descriptions, string modelId)
    {
        var examples = older.Select(p => new TrainingExample(new LabelledPaper(p.Id, p.Title, p.Summary, p.Categories), vectors[p.Id], default)).ToList();
        var fitter = new TaggerFitter();
        var tags = new Dictionary<string, IReadOnlyList<RecommenderTag>>(StringComparer.Ordinal);
        var folds = Papers.Training.Learning.Folds.Assign(examples.Select(e => e.Paper.Primary).ToList(), Folds, 1);
        for (var f = 0; f < Folds; f++)
        {
            var model = fitter.FitModel(modelId, examples.Where((_, i) => folds[i] != f).ToList(), descriptions);
            foreach (var (e, i) in examples.Select((e, i) => (e, i)).Where(t => folds[t.i] == f))
                tags[e.Paper.Id] = Tags(model, e.Vector);
        }
        var all = fitter.FitModel(modelId, examples, descriptions);
        foreach (var p in newer)
            tags[p.Id] = Tags(all, vectors[p.Id]);
        return tags;
    }

    private static List<RecommenderTag> Tags(TaggerModel model, float[] vector)
    {
        var probabilities = model.Probabilities(vector);
        return model.Classifier.Predict(probabilities).Tags
            .Select(c => new RecommenderTag(c, Math.Round(model.TagScore(probabilities[model.Classifier.IndexOf(c)]), 4))).ToList();
    }
}
