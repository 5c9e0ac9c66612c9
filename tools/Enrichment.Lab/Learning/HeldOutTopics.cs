using Papers.Contracts;
using Papers.Enrichment.Lab.Commands;
using Papers.Enrichment.Tagging.Learning;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Learning;

/// <summary>
/// Topic tags for the similar-papers eval as Enrichment would store them (the tagger's shown
/// categories with their tag scores), each from a tagger that never trained on the paper's own
/// source file: one fit per file, on the other files. The files are separate days (the 2025 cs
/// listings, the 2026 astro-ph listing, the two 2007 sets), so a held-out paper's tags come from
/// a tagger fitted on other days, as a stored paper's tags come from a tagger fitted before it.
/// </summary>
internal static class HeldOutTopics
{
    public static (IReadOnlyList<TopicTag>[] Tags, double[][] Probabilities) Predict(IReadOnlyList<LabelledPaper> papers, IReadOnlyList<int> fileOf, TaggingInputs inputs,
        CategoryTrainer trainer, TextWriter log)
    {
        var topics = new IReadOnlyList<TopicTag>[papers.Count];
        var all = new double[papers.Count][];
        var dense = new DenseFeatures(inputs.Vectors);
        foreach (var file in fileOf.Distinct().Order())
        {
            var train = Enumerable.Range(0, papers.Count).Where(i => fileOf[i] != file).ToList();
            var test = Enumerable.Range(0, papers.Count).Where(i => fileOf[i] == file).ToList();
            log.WriteLine($"Tags of file {file + 1}: a tagger fitted on the other files' {train.Count} papers, for its {test.Count}");
            var tagger = trainer.Fit(inputs.Classes, dense, inputs.Similarities, papers, train, log);
            foreach (var i in test)
            {
                var probabilities = tagger.Probabilities(dense, i, inputs.Similarities[i]);
                topics[i] = [.. tagger.Predict(probabilities).Tags.Select(t => new TopicTag(t, t, tagger.TagScore(probabilities[tagger.IndexOf(t)])))];
                all[i] = new double[inputs.Classes.Count];
                for (var c = 0; c < inputs.Classes.Count; c++)
                    all[i][c] = tagger.Classes.Contains(inputs.Classes[c]) ? probabilities[tagger.IndexOf(inputs.Classes[c])] : 0;
            }
        }
        return (topics, all);
    }

    /// <summary>For each paper (as <see cref="LabelledPapers.Read"/> returned them), the index of the first input file holding its id.</summary>
    public static int[] FileOf(IReadOnlyList<string> inputs, IReadOnlyList<LabelledPaper> papers)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var f = 0; f < inputs.Count; f++)
            foreach (var paper in LabelledPapers.Read([inputs[f]]))
                first.TryAdd(paper.Id, f);
        return [.. papers.Select(p => first[p.Id])];
    }
}
