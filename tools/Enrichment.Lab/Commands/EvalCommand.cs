using System.Diagnostics;
using Papers.Api.Search;
using Papers.Contracts;
using Papers.Enrichment.Embeddings;
using Papers.Enrichment.Lab.Learning;
using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;
using Papers.ServiceDefaults.Embeddings;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Commands;

/// <summary>
/// <c>eval [labelled]… [--models MiniLM,ArcticXs] [--folds 5] [--seed 1] [--cache file] [--shipped] [--sweep] [--skip-tagging]</c>,
/// for each embedding model in one run:
/// <list type="bullet">
/// <item>relevance (<see cref="RelevanceEval"/>): known-item search and similar papers through the
/// Api's own index, against BM25 alone and TF-IDF cosine, on a time split — the papers of 2020
/// and later are held out; the older ones are where the similar-papers weights were chosen
/// (<c>--sweep</c> prints the choice);</item>
/// <item>tagging: k-fold cross-validation, stratified by primary category, of our tagger (the
/// recipe that ships, <see cref="TaggerFitter.FitModel"/>: the model's embeddings, class-balanced
/// softmax regression with the descriptions as examples, calibrated, at most 3 tags)
/// against the arxiv-sanity baseline (TF-IDF unigrams+bigrams + the same linear classifier and
/// calibration), both trained on the same folds in this run; plus description similarity
/// alone, and with <c>--shipped</c> the tagger that ships, on the papers it was not trained on.</item>
/// </list>
/// Without labelled files it reads <c>tools/Enrichment.Lab/Training/</c>.
/// </summary>
internal static class EvalCommand
{
    /// <summary>The similar-papers weights --sweep compares: keywords with meaning, and neighbourhood feedback.</summary>
    private static readonly FusionWeights[] SweptWeights =
    [
        .. new[] { 0, 0.25, 0.5, 1 }.SelectMany(k => new[] { 0, 0.5, 1, 2, 4 }.Select(n => new FusionWeights(k, 1, n))),
    ];

    /// <summary>The weights of the topic vote (shared predicted tags) --sweep compares, on the Api's similar-papers weights.</summary>
    private static readonly double[] SweptTopicWeights = [0.5, 1, 2, 4, 8];

    /// <summary>The topic vote's weight in the eval's rows: the best of --sweep on the papers before 2020 (MiniLM).</summary>
    private const double TopicWeight = 1;

    public static Task<int> RunAsync(string[] args)
    {
        var a = new CommandArgs(args, "shipped", "skip-baseline", "skip-tagging", "sweep");
        var k = a.Int("folds", 5, min: 2);
        var seed = a.Int("seed", 1, min: 0);
        var watch = Stopwatch.StartNew();
        var models = Models(a);

        Console.WriteLine("Reading labelled papers:");
        var inputs = a.Positional.Count > 0 ? EnrichmentCommands.Inputs(a.Positional)
            : Directory.GetFiles(EnrichmentCommands.TrainingFolder(), "*.jsonl").Order(StringComparer.Ordinal).ToList();
        var papers = LabelledPapers.Read(inputs, Console.Out);
        if (papers.Count < k)
            throw new CommandLineException($"{papers.Count} labelled papers is fewer than {k} folds.");
        var primaries = papers.GroupBy(p => p.Primary).OrderByDescending(g => g.Count()).ToList();
        Console.WriteLine($"{papers.Count} papers, {primaries.Count} primary categories ({string.Join(", ", primaries.Take(8).Select(g => $"{g.Key} {g.Count()}"))}{(primaries.Count > 8 ? ", …" : "")}), " +
            $"{papers.SelectMany(p => p.Categories).Distinct().Count()} categories in all; {papers.Average(p => p.Categories.Count):F2} per paper");
        var splits = Splits(papers);
        var fileOf = HeldOutTopics.FileOf(inputs, papers);
        Console.WriteLine($"Relevance split by time: {string.Join("; ", splits.Select(s => $"{s.Name} {s.Papers.Count} papers"))}");

        var search = new List<(string Method, RelevanceEval.KnownItem[] BySplit)>
        {
            ("BM25 alone (the Api's keyword ranking)", splits.Select(s => RelevanceEval.Search(s.Papers, null)).ToArray()),
            ("TF-IDF cosine (1-2 grams)", splits.Select(s => RelevanceEval.TfIdfSearch(s.Papers)).ToArray()),
        };
        var similar = new List<(string Method, RelevanceEval.SimilarResult[] BySplit)>
        {
            ("BM25 alone (title + abstract as the query)", splits.Select(s => RelevanceEval.Similar(s.Papers, null, new FusionWeights(1, 0))).ToArray()),
            ("TF-IDF cosine (1-2 grams)", splits.Select(s => RelevanceEval.TfIdfSimilar(s.Papers)).ToArray()),
        };
        var tagging = new List<(string Method, TaggingMetrics Metrics)>();
        var sweeps = new List<string>();
        foreach (var model in models)
        {
            Console.WriteLine($"\n{model}:");
            var options = EnrichmentCommands.EmbeddingOptions();
            options.Model = model;
            using var logging = EnrichmentCommands.Logging();
            using var embedder = EnrichmentCommands.CreateEmbedder(logging, options);
            var cache = new EmbeddingCache(embedder, a.String("cache"), Console.Out);
            var name = embedder.ModelId.Split('/')[0];

            var inputsForTagging = EnrichmentCommands.EmbedForTagging(papers, cache);
            var abstracts = cache.Embed(papers.Select(p => p.Abstract).ToList());
            var titles = cache.Embed(papers.Select(p => p.Title).ToList(), EmbeddingRole.Query);
            var pasted = cache.Embed(papers.Select(p => p.Text).ToList(), EmbeddingRole.Query);
            Console.WriteLine($"Embedded in {watch.Elapsed.TotalSeconds:F0} s.");
            var bySplit = splits.Select(s => new RelevanceVectors(embedder.ModelId,
                [.. s.Rows.Select(i => inputsForTagging.Vectors[i])], [.. s.Rows.Select(i => abstracts[i])],
                [.. s.Rows.Select(i => titles[i])], [.. s.Rows.Select(i => pasted[i])])).ToList();
            // Candidate signals, measured and not shipped (README, "Relevance"): a topic vote from
            // predicted tags, and from the stored arXiv categories, which are the measure's own label.
            var (predicted, _) = HeldOutTopics.Predict(papers, fileOf, inputsForTagging, TrainCommand.Trainer(a, seed), Console.Out);
            IReadOnlyList<TopicTag>[] stored = [.. papers.Select(p => p.Categories.Select(c => new TopicTag(c, c, 1)).ToList())];
            IReadOnlyList<TopicTag>[][] topicsBySplit = [.. splits.Select(s => s.Rows.Select(i => predicted[i]).ToArray())];
            IReadOnlyList<TopicTag>[][] storedBySplit = [.. splits.Select(s => s.Rows.Select(i => stored[i]).ToArray())];

            search.Add(($"{name}: meaning alone (cosine)", splits.Select((s, j) => RelevanceEval.Search(s.Papers, bySplit[j], meaningOnly: true)).ToArray()));
            search.Add(($"{name}: hybrid (the Api's search)", splits.Select((s, j) => RelevanceEval.Search(s.Papers, bySplit[j])).ToArray()));
            similar.Add(($"{name}: meaning alone (cosine; before)", splits.Select((s, j) => RelevanceEval.Similar(s.Papers, bySplit[j], FusionWeights.MeaningOnly)).ToArray()));
            similar.Add(($"{name}: keywords + meaning (before shared neighbours)", splits.Select((s, j) => RelevanceEval.Similar(s.Papers, bySplit[j], SimilarRerank.Before)).ToArray()));
            similar.Add(($"{name}: + shared neighbours (the Api's similar)", splits.Select((s, j) => RelevanceEval.Similar(s.Papers, bySplit[j], FusionWeights.Similar)).ToArray()));
            similar.Add(($"{name}:   + vote of predicted tags (weight {TopicWeight}; not shipped)",
                splits.Select((s, j) => RelevanceEval.Similar(s.Papers, bySplit[j], FusionWeights.Similar, topics: (topicsBySplit[j], TopicWeight))).ToArray()));
            similar.Add(($"{name}:   + vote of arXiv categories (weight {TopicWeight}; circular)",
                splits.Select((s, j) => RelevanceEval.Similar(s.Papers, bySplit[j], FusionWeights.Similar, topics: (storedBySplit[j], TopicWeight))).ToArray()));
            similar.Add(($"{name}: pasted as a query, keywords + meaning (no feedback)", splits.Select((s, j) => RelevanceEval.Similar(s.Papers, bySplit[j], FusionWeights.PastedText, pasted: true)).ToArray()));
            if (a.Has("sweep"))
                foreach (var w in SweptWeights)
                    sweeps.Add($"{name,-28} {w.Keyword,8:F2} {w.Neighbourhood,13:F1} {0,5:F1} " + string.Concat(splits.Select((s, j) => $"{RelevanceEval.Similar(s.Papers, bySplit[j], w).Share,24:P1}")));
            if (a.Has("sweep"))
                foreach (var t in SweptTopicWeights)
                    sweeps.Add($"{name,-28} {FusionWeights.Similar.Keyword,8:F2} {FusionWeights.Similar.Neighbourhood,13:F1} {t,5:F1} " +
                        string.Concat(splits.Select((s, j) => $"{RelevanceEval.Similar(s.Papers, bySplit[j], FusionWeights.Similar, topics: (topicsBySplit[j], t)).Share,24:P1}")));

            if (!a.Has("skip-tagging"))
                tagging.AddRange(Tagging(a, papers, inputsForTagging, name, k, seed, withBaseline: model == models[0] && !a.Has("skip-baseline")));
        }

        Console.WriteLine();
        Console.WriteLine($"Known-item search (query = a paper's title; index = every abstract under an empty title), MRR@{RelevanceEval.TopK} / hit@1:");
        Console.WriteLine($"{"method",-64}" + string.Concat(splits.Select(s => $"{s.Name,24}")));
        foreach (var (method, bySplit) in search)
            Console.WriteLine($"{method,-64}" + string.Concat(bySplit.Select(m => $"{$"{m.Mrr:F3} / {m.Hit1:P1}",24}")));
        Console.WriteLine();
        Console.WriteLine($"Similar papers: share of the top {RelevanceEval.TopK} whose primary category is the paper's (and ms per paper, in memory):");
        Console.WriteLine($"{"method",-64}" + string.Concat(splits.Select(s => $"{s.Name,24}")));
        foreach (var (method, bySplit) in similar)
            Console.WriteLine($"{method,-64}" + string.Concat(bySplit.Select(v => $"{$"{v.Share:P1} ({v.MillisecondsPerPaper:F1} ms)",24}")));
        if (sweeps.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"Similar papers by weights (meaning 1; the Api ships keywords {FusionWeights.Similar.Keyword}, neighbourhood {FusionWeights.Similar.Neighbourhood}, no tags):");
            Console.WriteLine($"{"model",-28} {"keywords",8} {"neighbourhood",13} {"tags",5} " + string.Concat(splits.Select(s => $"{s.Name,24}")));
            sweeps.ForEach(Console.WriteLine);
        }
        if (tagging.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"Tagging: {k}-fold cross-validation (stratified by primary category, seed {seed}) on {papers.Count} papers:");
            Console.WriteLine($"{"method",-60} {"top-1",6} {"top-3",6} {"microF1",8} {"macroF1",8} {"P",6} {"R",6} {"tags",5}");
            foreach (var (method, m) in tagging)
                Console.WriteLine($"{method,-60} {m.Top1,6:P1} {m.Top3,6:P1} {m.MicroF1,8:F3} {m.MacroF1,8:F3} {m.MicroPrecision,6:F2} {m.MicroRecall,6:F2} {m.TagsPerPaper,5:F2}");
            Console.WriteLine("(top-k counts a prediction inside a bare-archive label such as 'astro-ph' as right)");
        }
        Console.WriteLine($"Done in {watch.Elapsed.TotalSeconds:F0} s.");
        return Task.FromResult(0);
    }

    /// <summary>The packaged models to compare (--models, default both); the configured model file alone when Embedding:ModelPath is set.</summary>
    private static List<PackagedModel> Models(CommandArgs a)
    {
        if (!string.IsNullOrWhiteSpace(EnrichmentCommands.EmbeddingOptions().ModelPath))
            throw new CommandLineException("eval compares the packaged models; unset Embedding__ModelPath (a model file is measured with train and eval --shipped).");
        var names = (a.String("models") ?? string.Join(',', Enum.GetNames<PackagedModel>())).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return names.Select(n => Enum.TryParse<PackagedModel>(n, ignoreCase: true, out var m) ? m
            : throw new CommandLineException($"--models: '{n}' is not a packaged model; use {string.Join(", ", Enum.GetNames<PackagedModel>())}.")).Distinct().ToList();
    }

    /// <summary>Papers of 2020 and later (new-style ids yymm.nnnnn) held out; the older ones are where weights were chosen.</summary>
    internal static List<(string Name, List<LabelledPaper> Papers, List<int> Rows)> Splits(List<LabelledPaper> papers)
    {
        static bool Recent(LabelledPaper p) => p.Id.Length > 4 && p.Id[4] == '.' && int.TryParse(p.Id.AsSpan(0, 2), out var yy) && yy >= 20;
        var recent = Enumerable.Range(0, papers.Count).Where(i => Recent(papers[i])).ToList();
        var older = Enumerable.Range(0, papers.Count).Where(i => !Recent(papers[i])).ToList();
        return new[] { ("tuning: before 2020", older), ("held out: 2020 on", recent) }
            .Where(s => s.Item2.Count > RelevanceEval.TopK)
            .Select(s => (s.Item1, s.Item2.Select(i => papers[i]).ToList(), s.Item2)).ToList();
    }

    /// <summary>Cross-validated tagging on this model's vectors, with the TF-IDF baseline once.</summary>
    private static List<(string, TaggingMetrics)> Tagging(CommandArgs a, List<LabelledPaper> papers, TaggingInputs inputs, string name, int k, int seed, bool withBaseline)
    {
        var (vectors, classes, descriptions, sims, modelId) = inputs;
        var folds = Folds.Assign(papers.Select(p => p.Primary).ToList(), k, seed);
        var ours = new Prediction[papers.Count];
        var baseline = new Prediction[papers.Count];
        var trainer = TrainCommand.Trainer(a, seed);
        // Ours is the recipe that ships (the Training service's and train's: descriptions as examples, at most 3 tags).
        var fitter = new TaggerFitter { Seed = seed, Trainer = trainer };
        var examples = papers.Select((p, i) => new TrainingExample(p, vectors[i], DateOnly.MinValue)).ToList();
        var texts = papers.Select(p => p.Text).ToList();
        for (var f = 0; f < k; f++)
        {
            var train = Enumerable.Range(0, papers.Count).Where(i => folds[i] != f).ToList();
            var test = Enumerable.Range(0, papers.Count).Where(i => folds[i] == f).ToList();
            Console.WriteLine($"Fold {f + 1}/{k}: {train.Count} training papers, {test.Count} held out");
            var model = fitter.FitModel(modelId, train.Select(i => examples[i]).ToList(), descriptions, Console.Out);
            foreach (var i in test)
                ours[i] = model.Predict(vectors[i]);
            if (!withBaseline)
                continue;
            var tfidf = TfIdf.Fit(train.Select(i => texts[i]));
            var sparse = tfidf.Transform(texts);
            var linear = trainer.Fit(classes, sparse, null, papers, train, Console.Out);
            foreach (var i in test)
                baseline[i] = linear.Predict(linear.Probabilities(sparse, i, null));
        }

        var gold = papers.Select(p => p.Categories).ToList();
        // Description similarity alone: no training at all; the nearest description is the one tag.
        var zeroShot = sims.Select(s =>
        {
            var ranked = Enumerable.Range(0, classes.Count).OrderByDescending(c => s[c]).Select(c => classes[c]).ToList();
            return new Prediction(ranked, ranked.Take(1).ToList());
        }).ToList();
        var rows = new List<(string, TaggingMetrics)> { ($"ours: {name} + softmax regression + descriptions", TaggingMetrics.Compute(gold, ours)) };
        if (withBaseline)
            rows.Add(("baseline: TF-IDF (1-2 grams) + softmax regression", TaggingMetrics.Compute(gold, baseline)));
        rows.Add(($"{name}: descriptions alone (no training; 1 tag)", TaggingMetrics.Compute(gold, zeroShot)));
        if (a.Has("shipped") && Shipped(papers, vectors, gold, inputs.ModelId) is { } shipped)
            rows.Add(shipped);
        return rows;
    }

    /// <summary>The tagger as it ships, on the papers of this file it was not trained on, when it was trained on this model's vectors.</summary>
    private static (string, TaggingMetrics)? Shipped(List<LabelledPaper> papers, float[][] vectors, List<IReadOnlyList<string>> gold, string modelId)
    {
        var shipped = TaggerModel.LoadEmbedded();
        if (shipped is null || shipped.EmbeddingModel != modelId)
            return null;
        var unseen = Enumerable.Range(0, papers.Count).Where(i => !shipped.TrainedOn.Contains(papers[i].Id)).ToList();
        if (unseen.Count == 0)
        {
            Console.WriteLine($"shipped tagger: all {papers.Count} papers are in its training set; nothing to evaluate.");
            return null;
        }
        var predictions = unseen.Select(i => shipped.Predict(vectors[i])).ToList();
        return ($"shipped tagger ({unseen.Count} papers it wasn't trained on)", TaggingMetrics.Compute(unseen.Select(i => gold[i]).ToList(), predictions));
    }
}
