using Papers.Enrichment.Tagging;
using Papers.Training.Learning;

namespace Papers.Training.Tests;

/// <summary>
/// The recipe fits each category's description as a weighted example of it, so a category no
/// harvested paper carries still gets a row of its own and a paper like its description is
/// tagged with it.
/// </summary>
public sealed class DescriptionPriorTests
{
    private static readonly List<string> Classes = [.. Categories.Predictable.Select(c => c.Id)];

    /// <summary>Descriptions one axis each; papers of cs.CL and cs.CV near their category's axis.</summary>
    private static (List<TrainingExample> Examples, float[][] Descriptions) Data()
    {
        var dimensions = Classes.Count + 5;
        var descriptions = Classes.Select((_, c) => Axis(dimensions, c, null)).ToArray();
        var random = new Random(3);
        var examples = new List<TrainingExample>();
        foreach (var category in new[] { "cs.CL", "cs.CV" })
            for (var i = 0; i < 40; i++)
                examples.Add(new TrainingExample(new LabelledPaper($"{category}-{i}", "", "", [category]), Axis(dimensions, Classes.IndexOf(category), random), default));
        return (examples, descriptions);
    }

    private static float[] Axis(int dimensions, int axis, Random? noise)
    {
        var v = Enumerable.Range(0, dimensions).Select(_ => noise is null ? 0f : (float)(noise.NextDouble() - 0.5) * 0.3f).ToArray();
        v[axis] += 1;
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }

    [Fact]
    public void A_category_without_papers_is_learned_from_its_description()
    {
        var (examples, descriptions) = Data();
        var paper = Axis(descriptions[0].Length, Classes.IndexOf("math.AG"), new Random(5));

        var model = new TaggerFitter().FitModel("test-model", examples, descriptions);

        Assert.Contains(Classes.IndexOf("math.AG"), model.Classifier.Active);
        Assert.Equal("math.AG", model.Predict(paper).Ranked[0]);
        Assert.Equal("cs.CL", model.Predict(Axis(descriptions[0].Length, Classes.IndexOf("cs.CL"), new Random(6))).Ranked[0]);

        // Without the prior the category has no row: only the papers' categories do.
        var without = new TaggerFitter { Trainer = new CategoryTrainer { DescriptionPrior = 0 } }.FitModel("test-model", examples, descriptions);
        Assert.DoesNotContain(Classes.IndexOf("math.AG"), without.Classifier.Active);
        Assert.Equal(2, without.Classifier.Active.Length);
    }
}
