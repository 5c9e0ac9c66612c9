using Papers.Enrichment.Lab.Learning;
using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;
using Papers.Training.Learning;

namespace Papers.Enrichment.Tests.Lab;

public sealed class LearningTests
{
    [Fact]
    public void Metrics_match_a_hand_computed_example()
    {
        IReadOnlyList<IReadOnlyList<string>> gold =
        [
            ["cs.CL", "cs.LG"],
            ["cs.CV"],
            ["astro-ph.GA", "astro-ph.CO"],
            ["math.AG"],
        ];
        Prediction[] predicted =
        [
            new(["cs.CL", "cs.LG", "cs.AI"], ["cs.CL", "cs.AI"]),      // top-1 right; tags: TP cs.CL, FP cs.AI, FN cs.LG
            new(["cs.LG", "cs.AI", "cs.CV"], ["cs.LG"]),               // top-3 right only; FP cs.LG, FN cs.CV
            new(["astro-ph.GA", "astro-ph.CO"], ["astro-ph.GA", "astro-ph.CO"]), // TP both
            new(["math.NT", "math.CO", "math.GT"], []),                // wrong; FN math.AG
        ];

        var m = TaggingMetrics.Compute(gold, predicted);

        Assert.Equal(0.5, m.Top1, 6);
        Assert.Equal(0.75, m.Top3, 6);
        // TP 3, FP 2, FN 3: micro F1 = 2·3 / (2·3 + 2 + 3) = 6/11.
        Assert.Equal(6.0 / 11, m.MicroF1, 6);
        Assert.Equal(3.0 / 5, m.MicroPrecision, 6);
        Assert.Equal(3.0 / 6, m.MicroRecall, 6);
        // Labels: cs.CL 1, cs.LG 0, cs.AI 0, cs.CV 0, astro-ph.GA 1, astro-ph.CO 1, math.AG 0.
        Assert.Equal(3.0 / 7, m.MacroF1, 6);
        Assert.Equal(5.0 / 4, m.TagsPerPaper, 6);
    }

    [Fact]
    public void A_bare_archive_label_is_matched_by_any_of_its_categories()
    {
        IReadOnlyList<IReadOnlyList<string>> gold = [["astro-ph"], ["astro-ph", "gr-qc"]];
        Prediction[] predicted =
        [
            new(["astro-ph.CO", "gr-qc"], ["astro-ph.CO", "astro-ph.GA"]),
            new(["hep-th", "astro-ph.HE"], ["hep-th"]),
        ];
        var m = TaggingMetrics.Compute(gold, predicted);
        Assert.Equal(0.5, m.Top1, 6);
        Assert.Equal(1.0, m.Top3, 6);
        // Paper 1: both tags coarsen to astro-ph: TP 1. Paper 2: FP hep-th, FN astro-ph and gr-qc.
        Assert.Equal(2.0 * 1 / (2 * 1 + 1 + 2), m.MicroF1, 6);
    }

    [Fact]
    public void Categories_are_brought_to_todays_taxonomy()
    {
        Assert.Equal(["math.FA", "math-ph"], Categories.Normalize(["funct-an", "math.MP", "funct-an"]));
        Assert.Equal(["cs.IT", "astro-ph"], Categories.Normalize(["math.IT", "astro-ph", "68T07"]));
        Assert.True(Categories.IsCoarse("astro-ph"));
        Assert.False(Categories.IsCoarse("hep-th"));
        Assert.True(Categories.Matches("astro-ph.SR", "astro-ph"));
        Assert.False(Categories.Matches("astro-ph.SR", "astro-ph.GA"));
        Assert.DoesNotContain(Categories.Predictable, c => c.Id is "math.IT" or "cs.NA" or "stat.TH");
    }

    [Fact]
    public void Folds_are_stratified_by_primary_category()
    {
        var primaries = Enumerable.Repeat("cs.CV", 50).Concat(Enumerable.Repeat("cs.CL", 10)).Concat(["cs.RO", "cs.RO"]).ToList();
        var folds = Folds.Assign(primaries, 5, seed: 3);
        for (var f = 0; f < 5; f++)
        {
            Assert.Equal(10, Enumerable.Range(0, 50).Count(i => folds[i] == f));
            Assert.Equal(2, Enumerable.Range(50, 10).Count(i => folds[i] == f));
        }
        Assert.NotEqual(folds[60], folds[61]);
    }

    [Fact]
    public void Platt_scaling_recovers_a_known_sigmoid()
    {
        var random = new Random(7);
        var scores = Enumerable.Range(0, 20_000).Select(_ => random.NextDouble() * 8 - 4).ToList();
        var labels = scores.Select(s => random.NextDouble() < CategoryClassifier.Sigmoid(1.5 * s - 0.5)).ToList();
        var (a, b) = Calibration.Platt(scores, labels);
        Assert.InRange(a, 1.35, 1.65);
        Assert.InRange(b, -0.65, -0.35);
    }

    [Fact]
    public void Tf_idf_uses_unigrams_and_bigrams_without_stop_words_and_normalises_rows()
    {
        Assert.Equal(["graph", "graph neural", "neural", "neural networks", "networks"], TfIdf.Terms("The graph neural networks of a"));
        var tfidf = TfIdf.Fit(["graph neural networks", "graph neural networks", "galaxy clusters", "galaxy clusters"], minDocumentFrequency: 2);
        var (index, value) = tfidf.Transform("graph graph neural");
        Assert.Equal(3, index.Length);
        Assert.Equal(1.0, value.Sum(v => (double)v * v), 5);
    }

    [Fact]
    public void A_softmax_regression_learns_separable_classes()
    {
        float[][] rows = [[1, 0], [0.9f, 0.1f], [0, 1], [0.1f, 0.9f]];
        var targets = new[] { 0, 0, 1, 1 }.Select(c => new Target([(c, 1f)], [], 1)).ToList();
        var model = new SoftmaxTrainer { Epochs = 200, BatchSize = 2, LearningRate = 0.1f, L2 = 0 }.Fit(new DenseFeatures(rows), [0, 1, 2, 3], targets, 2);
        var logits = new float[2];
        model.Logits(new DenseFeatures(rows), 0, null, logits);
        Assert.True(logits[0] > logits[1] + 2);
        model.Logits(new DenseFeatures(rows), 3, null, logits);
        Assert.True(logits[1] > logits[0] + 2);
    }

    [Fact]
    public void Labelled_papers_are_read_from_abs_records_jsonl_and_kaggle_ids()
    {
        var abs = """
            ------------------------------------------------------------------------------
            \\
            arXiv:funct-an/9301001
            From: A. Author <a@example.org>
            Date: Sat, 16 Jan 1993 11:49:26 GMT   (0kb,I)

            Title: Lie-algebras and linear operators with invariant
              subspaces
            Authors: A. Author
            Categories: funct-an math.OA
            \\
              A general classification of linear differential operators
            \\
              with a line that is only a LaTeX break.
            \\
            """;
        var paper = LabelledPapers.ParseAbs(abs)!;
        Assert.Equal("funct-an/9301001", paper.Id);
        Assert.Equal("Lie-algebras and linear operators with invariant subspaces", paper.Title);
        Assert.Equal(["math.FA", "math.OA"], paper.Categories);
        Assert.Contains("LaTeX break", paper.Abstract);

        var json = LabelledPapers.ParseJson("""{"id":"2606.30643v1","title":"T","summary":"S","categories":["gr-qc","astro-ph.HE"],"primary_category":"astro-ph.HE"}""")!;
        Assert.Equal("2606.30643", json.Id);
        Assert.Equal(["astro-ph.HE", "gr-qc"], json.Categories);

        Assert.Equal("0704.0010", LabelledPapers.KaggleId("704.001"));
        Assert.Equal("0704.0001", LabelledPapers.KaggleId("704.0001"));
    }
}
