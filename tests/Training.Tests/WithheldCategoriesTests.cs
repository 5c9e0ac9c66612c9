using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;
using Papers.Training.Learning;

namespace Papers.Training.Tests;

/// <summary>
/// Low-confidence categories are not shown: the trainer withholds a category that out of fold is
/// rarely the paper's when ranked high, the classifier never shows it, as a tag or as the
/// predicted primary (it is ranked after the others), the model file keeps the list, and a
/// category that earns its place is not withheld.
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
        // Nor the primary: it is ranked after the others (the last test: even where it is the most probable).
        Assert.All(predictions, p => Assert.Equal("cs.AI", p.Ranked[^1]));
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
        Assert.True(loaded.Probabilities(paper).Index().MaxBy(p => p.Item).Index == loaded.Classifier.IndexOf("cs.CL"), "cs.CL is not the most probable");
        var prediction = loaded.Predict(paper);
        Assert.NotEqual("cs.CL", prediction.Ranked[0]);
        Assert.DoesNotContain("cs.CL", prediction.Tags);
    }

    [Fact]
    public async Task The_tagger_never_names_a_withheld_category_as_the_primary()
    {
        var model = TaggerModel.LoadEmbedded()!;
        var paper = model.Descriptions[model.Classifier.IndexOf("cs.CL")];
        var tagger = new TopicTagger(new UnusedEmbedder(model.EmbeddingModel), model, new CustomTopicsOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Equal("cs.CL", (await tagger.TagAsync([paper], CancellationToken.None))[0].PredictedPrimaryCategory);

        model.Classifier.Withheld = new HashSet<string>(["cs.CL"], StringComparer.Ordinal);
        // A coverage, as every model the recipe fits has, so the primary is shown whatever its tag score.
        model.Classifier.Coverage = 0.9;
        var tagged = (await new TopicTagger(new UnusedEmbedder(model.EmbeddingModel), model, new CustomTopicsOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            .TagAsync([paper], CancellationToken.None))[0];

        Assert.NotNull(tagged.PredictedPrimaryCategory);
        Assert.NotEqual("cs.CL", tagged.PredictedPrimaryCategory);
        Assert.DoesNotContain(tagged.Tags, t => t.Topic == "cs.CL");
        // The primary is the first category shown.
        Assert.Equal(tagged.PredictedPrimaryCategory, tagged.Tags[0].Topic);
    }

    /// <summary>The tagger embeds only custom topics (none here) and descriptions when it has no model for the embedder's.</summary>
    private sealed class UnusedEmbedder(string modelId) : Papers.ServiceDefaults.Embeddings.ITextEmbedder
    {
        public string ModelId => modelId;

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The tagger embedded something it should not have.");
    }

    [Theory]
    [InlineData(0, 66, 0.039)]
    [InlineData(6, 66, 0.166)]
    [InlineData(1, 5, 0.565)]
    [InlineData(50, 50, 1.0)]
    public void The_wilson_bound_needs_evidence_before_it_calls_a_rate_low(int successes, int trials, double expected) =>
        Assert.Equal(expected, Calibration.WilsonUpper(successes, trials), 0.001);
}
