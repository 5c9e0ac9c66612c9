using System.Numerics.Tensors;
using Papers.Enrichment.Tagging;

namespace Papers.Training.Learning;

/// <summary>
/// The calibration of custom topics a tagger model carries (<see cref="TaggerModel.DescriptionTopic"/>,
/// <see cref="TaggerModel.ExampleTopic"/>), fitted on labelled papers: categories stand in for topics.
/// </summary>
internal static class TopicCalibration
{
    /// <summary>How a paper's similarity to a category's description predicts that the category is one of the paper's.</summary>
    public static (double A, double B) Description(IReadOnlyList<LabelledPaper> papers, IReadOnlyList<string> classes, float[][] sims)
    {
        var scores = new List<double>();
        var labels = new List<bool>();
        for (var i = 0; i < papers.Count; i++)
        {
            if (papers[i].Categories.Any(Categories.IsCoarse))
                continue;
            for (var c = 0; c < classes.Count; c++)
            {
                scores.Add(sims[i][c]);
                labels.Add(papers[i].Categories.Contains(classes[c]));
            }
        }
        return Calibration.Platt(scores, labels);
    }

    /// <summary>
    /// The same for a topic given by a few example papers: for categories with enough papers,
    /// draws of 1–10 of them (plus the description) make a prototype, scored against the other papers.
    /// </summary>
    public static (double A, double B) Examples(IReadOnlyList<LabelledPaper> papers, IReadOnlyList<string> classes, float[][] vectors, float[][] descriptions, int seed)
    {
        var random = new Random(seed);
        var scores = new List<double>();
        var labels = new List<bool>();
        var usable = Enumerable.Range(0, papers.Count).Where(i => !papers[i].Categories.Any(Categories.IsCoarse)).ToList();
        for (var c = 0; c < classes.Count; c++)
        {
            var members = usable.Where(i => papers[i].Categories.Contains(classes[c])).ToArray();
            if (members.Length < 12)
                continue;
            foreach (var count in new[] { 1, 3, 10 })
            {
                random.Shuffle(members);
                var examples = members.Take(count).ToHashSet();
                var prototype = TopicTagger.Prototype(descriptions[c], examples.Select(i => vectors[i]));
                foreach (var i in usable.Where(i => !examples.Contains(i)))
                {
                    scores.Add(TensorPrimitives.Dot(vectors[i], prototype));
                    labels.Add(papers[i].Categories.Contains(classes[c]));
                }
            }
        }
        return Calibration.Platt(scores, labels);
    }
}
