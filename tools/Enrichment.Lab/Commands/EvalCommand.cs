using System.Diagnostics;
using Papers.Enrichment.Lab.Learning;
using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Commands;

/// <summary>
/// <c>eval &lt;labelled&gt;… [--folds 5] [--seed 1] [--cache file] [--shipped]</c>: k-fold
/// cross-validation, stratified by primary category, of our tagger (MiniLM embeddings +
/// class-balanced softmax regression + description similarity, calibrated) against the
/// arxiv-sanity baseline (TF-IDF unigrams+bigrams + the same linear classifier and
/// calibration), both trained on the same folds in this run; plus description similarity
/// alone, and with <c>--shipped</c> the tagger that ships, on the papers it was not trained on.
/// </summary>
internal static class EvalCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        var a = new CommandArgs(args, "shipped", "skip-baseline");
        if (a.Positional.Count == 0)
            throw new CommandLineException("eval needs at least one labelled file or .abs folder.");
        var k = a.Int("folds", 5, min: 2);
        var seed = a.Int("seed", 1, min: 0);
        var watch = Stopwatch.StartNew();

        Console.WriteLine("Reading labelled papers:");
        var papers = LabelledPapers.Read(EnrichmentCommands.Inputs(a.Positional), Console.Out);
        if (papers.Count < k)
            throw new CommandLineException($"{papers.Count} labelled papers is fewer than {k} folds.");
        var primaries = papers.GroupBy(p => p.Primary).OrderByDescending(g => g.Count()).ToList();
        Console.WriteLine($"{papers.Count} papers, {primaries.Count} primary categories ({string.Join(", ", primaries.Take(8).Select(g => $"{g.Key} {g.Count()}"))}{(primaries.Count > 8 ? ", …" : "")}), " +
            $"{papers.SelectMany(p => p.Categories).Distinct().Count()} categories in all; {papers.Average(p => p.Categories.Count):F2} per paper");

        var (vectors, classes, _, sims, _) = EnrichmentCommands.EmbedForTagging(papers, a.String("cache"));
        Console.WriteLine($"Embedded in {watch.Elapsed.TotalSeconds:F0} s.");

        var folds = Folds.Assign(papers.Select(p => p.Primary).ToList(), k, seed);
        var ours = new Prediction[papers.Count];
        var baseline = new Prediction[papers.Count];
        var dense = new DenseFeatures(vectors);
        var trainer = TrainCommand.Trainer(a, seed);
        var texts = papers.Select(p => p.Text).ToList();
        double oursSeconds = 0, baselineSeconds = 0;
        for (var f = 0; f < k; f++)
        {
            var train = Enumerable.Range(0, papers.Count).Where(i => folds[i] != f).ToList();
            var test = Enumerable.Range(0, papers.Count).Where(i => folds[i] == f).ToList();
            Console.WriteLine($"Fold {f + 1}/{k}: {train.Count} training papers, {test.Count} held out");

            var fit = Stopwatch.StartNew();
            var model = trainer.Fit(classes, dense, sims, papers, train, Console.Out);
            foreach (var i in test)
                ours[i] = model.Predict(model.Probabilities(dense, i, sims[i]));
            oursSeconds += fit.Elapsed.TotalSeconds;

            if (a.Has("skip-baseline"))
                continue;
            fit.Restart();
            var tfidf = TfIdf.Fit(train.Select(i => texts[i]));
            var sparse = tfidf.Transform(texts);
            var linear = trainer.Fit(classes, sparse, null, papers, train, Console.Out);
            foreach (var i in test)
                baseline[i] = linear.Predict(linear.Probabilities(sparse, i, null));
            baselineSeconds += fit.Elapsed.TotalSeconds;
        }

        var gold = papers.Select(p => p.Categories).ToList();
        // Description similarity alone: no training at all; the nearest description is the one tag.
        var zeroShot = sims.Select(s =>
        {
            var ranked = Enumerable.Range(0, classes.Count).OrderByDescending(c => s[c]).Select(c => classes[c]).ToList();
            return new Prediction(ranked, ranked.Take(1).ToList());
        }).ToList();

        Console.WriteLine();
        Console.WriteLine($"{k}-fold cross-validation (stratified by primary category, seed {seed}) on {papers.Count} papers:");
        Console.WriteLine($"{"method",-52} {"top-1",6} {"top-3",6} {"microF1",8} {"macroF1",8} {"P",6} {"R",6} {"tags",5}");
        Print("ours: MiniLM + softmax regression + descriptions", TaggingMetrics.Compute(gold, ours));
        if (!a.Has("skip-baseline"))
            Print("baseline: TF-IDF (1-2 grams) + softmax regression", TaggingMetrics.Compute(gold, baseline));
        Print("descriptions alone (no training; 1 tag)", TaggingMetrics.Compute(gold, zeroShot));
        Console.WriteLine($"(training and calibration time: ours {oursSeconds:F0} s, baseline {baselineSeconds:F0} s; top-k counts a prediction inside a bare-archive label such as 'astro-ph' as right)");

        if (a.Has("shipped"))
            Shipped(papers, vectors, gold);
        Console.WriteLine($"Done in {watch.Elapsed.TotalSeconds:F0} s.");
        return Task.FromResult(0);
    }

    /// <summary>The tagger as it ships, on the papers of this file it was not trained on.</summary>
    private static void Shipped(List<LabelledPaper> papers, float[][] vectors, List<IReadOnlyList<string>> gold)
    {
        var shipped = TaggerModel.LoadEmbedded();
        if (shipped is null)
        {
            Console.WriteLine("shipped tagger: none embedded (run `train`).");
            return;
        }
        var unseen = Enumerable.Range(0, papers.Count).Where(i => !shipped.TrainedOn.Contains(papers[i].Id)).ToList();
        if (unseen.Count == 0)
        {
            Console.WriteLine($"shipped tagger: all {papers.Count} papers are in its training set; nothing to evaluate.");
            return;
        }
        var predictions = unseen.Select(i => shipped.Predict(vectors[i])).ToList();
        Print($"shipped tagger ({unseen.Count} papers it wasn't trained on)", TaggingMetrics.Compute(unseen.Select(i => gold[i]).ToList(), predictions));
    }

    private static void Print(string name, TaggingMetrics m) =>
        Console.WriteLine($"{name,-52} {m.Top1,6:P1} {m.Top3,6:P1} {m.MicroF1,8:F3} {m.MacroF1,8:F3} {m.MicroPrecision,6:F2} {m.MicroRecall,6:F2} {m.TagsPerPaper,5:F2}");
}
