using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;
using Papers.Training.Learning;

namespace Papers.Training.Tests;

/// <summary>
/// Low-confidence categories are not shown: the trainer withholds a category that out of fold is
/// rarely the paper's when ranked high, the classifier never shows it (it keeps its rank), the
/// model file keeps the list, and a category that earns its place is not withheld.
/// </summary>
public sealed class WithheldCategoriesTests
{
    private static readonly string[] Classes = ["cs.CL", "cs.CV", "cs.AI"];

    /// <summary>
    /// Papers near one of three directions. cs.CL and cs.CV have 60 papers each; cs.AI has 6,
    /// near <paramref name="aiDirection"/>: cs.CL's own (so cs.AI is the runner-up of every cs.CL
    /// paper and almost never right) or a direction of its own (so it is right where it is ranked).
    /// </summary>
    private static (List<LabelledPaper> Papers, float[][] Vectors) Data(int aiDirection)
    {
        var random = new Random(7);
        var papers = new List<LabelledPaper>();
        var vectors = new List<float[]>();
        void Add(string category, int direction, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var v = Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() - 0.5) * 0.4f).ToArray();
                v[direction] += 1;
                papers.Add(new LabelledPaper($"{category}-{i}", "", "", [category]));
                vectors.Add(v);
            }
        }
        Add("cs.CL", 0, 60);
        Add("cs.CV", 1, 60);
        Add("cs.AI", aiDirection, 6);
        return (papers, [.. vectors]);
    }

    private static CategoryClassifier Fit(List<LabelledPaper> papers, float[][] vectors) =>
        new CategoryTrainer { MaxTags = 2, Softmax = new SoftmaxTrainer { Epochs = 60 } }
            .Fit(Classes, new DenseFeatures(vectors), null, papers, [.. Enumerable.Range(0, papers.Count)]);

    [Fact]
    public void A_category_rarely_right_when_ranked_high_is_withheld_and_never_shown()
    {
        var (papers, vectors) = Data(aiDirection: 0);
        var model = Fit(papers, vectors);

        Assert.Equal(["cs.AI"], model.Withheld);
        var features = new DenseFeatures(vectors);
        // Coverage 1 shows the two most probable whatever their score: only withholding keeps cs.AI out.
        var predictions = Enumerable.Range(0, papers.Count).Select(i => model.Predict(model.Probabilities(features, i, null), coverage: 1)).ToList();
        Assert.All(predictions, p => Assert.DoesNotContain("cs.AI", p.Tags));
        // It keeps its rank (the admin report and top-k still see it), and the others are still shown.
        Assert.Contains(predictions, p => p.Ranked.Take(2).Contains("cs.AI"));
        Assert.Contains(predictions, p => p.Tags.Contains("cs.CL"));
        Assert.Contains(predictions, p => p.Tags.Contains("cs.CV"));
    }

    [Fact]
    public void A_rare_category_that_is_right_where_ranked_is_shown()
    {
        var (papers, vectors) = Data(aiDirection: 2);
        var model = Fit(papers, vectors);

        Assert.Empty(model.Withheld);
        var ai = papers.FindIndex(p => p.Primary == "cs.AI");
        Assert.Contains("cs.AI", model.Predict(model.Probabilities(new DenseFeatures(vectors), ai, null)).Tags);
    }

    [Fact]
    public void The_model_file_keeps_the_withheld_categories_and_the_tagger_never_shows_them()
    {
        var shipped = TaggerModel.LoadEmbedded()!;
        var paper = shipped.Descriptions[shipped.Classifier.IndexOf("cs.CL")];
        Assert.Contains("cs.CL", shipped.Predict(paper).Tags);

        shipped.Classifier.Withheld = new HashSet<string>(["cs.CL"], StringComparer.Ordinal);
        using var file = new MemoryStream();
        shipped.Save(file, "test");
        file.Position = 0;
        var loaded = TaggerModel.Load(file);

        Assert.Equal(["cs.CL"], loaded.Classifier.Withheld);
        var prediction = loaded.Predict(paper);
        Assert.Equal("cs.CL", prediction.Ranked[0]);
        Assert.DoesNotContain("cs.CL", prediction.Tags);
    }

    [Theory]
    [InlineData(0, 66, 0.039)]
    [InlineData(6, 66, 0.166)]
    [InlineData(1, 5, 0.565)]
    [InlineData(50, 50, 1.0)]
    public void The_wilson_bound_needs_evidence_before_it_calls_a_rate_low(int successes, int trials, double expected) =>
        Assert.Equal(expected, Calibration.WilsonUpper(successes, trials), 0.001);
}
