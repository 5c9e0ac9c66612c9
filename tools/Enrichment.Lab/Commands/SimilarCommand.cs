using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;
using Papers.Api.Search;
using Papers.Enrichment.Embeddings;
using Papers.Enrichment.Lab.Learning;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Commands;

/// <summary>
/// <c>similar [labelled]… [--cache file] [--depths 20,50,100] [--authors files or folder] [--earlier] [--fuse Model [--fuse-cache file]] [--scale N]</c>:
/// candidate similar-papers signals with the configured (shipped) model, on eval's time split
/// (chosen before 2020, reported from 2020 on), each re-ranking an Api ranking's candidates
/// (<see cref="SimilarRerank"/>) at several depths and weights, then each at its best setting
/// before 2020 with the paired change on both halves. By default on top of the shipped ranking
/// (<see cref="OnShipped"/>: shared authors, predicted categories, feedback, lexical fusion,
/// hubness, unlabelled topics, graph diffusion; the stored categories as an upper bound only), also against
/// MiniLM cosine alone; <c>--earlier</c>: the first session's signals on the ranking before
/// shared neighbours (<see cref="Earlier"/>, sentence-level matching and its cost); <c>--fuse</c>:
/// the configured model's cosine fused with a second model's (<see cref="Fused"/>). With
/// <c>--scale</c>, a similar-papers call's time with and without shared neighbours at N papers
/// (<see cref="SimilarCost"/>).
/// </summary>
internal static class SimilarCommand
{
    /// <summary>The Api's own similar-papers weights around the shipped ones, one at a time.</summary>
    private static readonly FusionWeights[] ApiWeights =
    [
        .. new[] { 0, 0.1, 0.5, 1 }.Select(k => FusionWeights.Similar with { Keyword = k }),
        .. new[] { 0, 2.0, 8 }.Select(n => FusionWeights.Similar with { Neighbourhood = n }),
        .. new[] { 1, 4.0 }.Select(n => FusionWeights.Similar with { SharedNeighbours = n }),
    ];

    private static readonly double[] Weights = [0, 0.1, 0.25, 0.5, 1, 2, 4, double.PositiveInfinity];

    public static Task<int> RunAsync(string[] args)
    {
        var a = new CommandArgs(args, "earlier");
        var depths = (a.String("depths") ?? "20,50,100").Split(',').Select(d => int.TryParse(d, out var n) && n >= RelevanceEval.TopK ? n
            : throw new CommandLineException($"--depths: '{d}' is not a whole number of at least {RelevanceEval.TopK}.")).ToArray();
        var inputs = a.Positional.Count > 0 ? EnrichmentCommands.Inputs(a.Positional)
            : Directory.GetFiles(EnrichmentCommands.TrainingFolder(), "*.jsonl").Order(StringComparer.Ordinal).ToList();
        var papers = LabelledPapers.Read(inputs, Console.Out);
        var splits = EvalCommand.Splits(papers);

        using var logging = EnrichmentCommands.Logging();
        using var embedder = EnrichmentCommands.CreateEmbedder(logging);
        var cache = new EmbeddingCache(embedder, a.String("cache"), Console.Out);
        var texts = cache.Embed(papers.Select(p => p.Text).ToList());
        if (a.Has("earlier"))
            Earlier(papers, splits, embedder, cache, texts, depths);
        else if (a.String("fuse") is { } second)
            Fused(a, second, logging, papers, splits, cache, texts, depths);
        else
            OnShipped(a, inputs, papers, splits, cache, texts, depths);
        Console.WriteLine($"{"the Api's ranking as shipped (shared neighbours in the index)",-62}" + string.Concat(splits.Select(split =>
        {
            var vectors = new RelevanceVectors(embedder.ModelId, [.. split.Rows.Select(i => texts[i])], [], [], []);
            return $"{RelevanceEval.Similar(split.Papers, vectors, FusionWeights.Similar).Share,30:P1}";
        })));
        if (a.Has("scale"))
            SimilarCost.Run(texts, embedder.ModelId, a.Int("scale", 100_000, min: 1_000), Console.Out);
        return Task.FromResult(0);
    }

    /// <summary>
    /// Signals on top of the shipped ranking (shared neighbours included): shared authors, the
    /// categories the tagger predicts (each paper's from a tagger fitted on the other source files,
    /// <see cref="HeldOutTopics"/>), dense pseudo-relevance feedback at other depths and weights,
    /// hubness-corrected and centred cosine, dense + TF-IDF score fusion, k-means topics, diffusion
    /// on the nearest-neighbour graph; the stored arXiv
    /// categories last, as an upper bound only (they are the label the measure counts).
    /// </summary>
    private static void OnShipped(CommandArgs a, List<string> inputs, List<LabelledPaper> papers, List<(string Name, List<LabelledPaper> Papers, List<int> Rows)> splits,
        EmbeddingCache cache, float[][] texts, int[] depths)
    {
        var authorSources = EnrichmentCommands.Inputs([a.String("authors") ?? Path.Combine("..", "shared", "data", "labeled")]);
        var authors = authorSources.Any(p => File.Exists(p) || Directory.Exists(p)) ? PaperAuthors.Read(authorSources) : [];
        Console.WriteLine($"Authors known for {papers.Count(p => authors.ContainsKey(p.Id))} of {papers.Count} papers (from {string.Join(", ", authorSources)}).");
        var tagging = EnrichmentCommands.EmbedForTagging(papers, cache);
        var trainer = TrainCommand.Trainer(a, a.Int("seed", 1, min: 0));
        var (tags, probabilities) = HeldOutTopics.Predict(papers, HeldOutTopics.FileOf(inputs, papers), tagging, trainer, Console.Out);
        // The same from a tagger fitted on the other half of the time split only (fewer, farther papers).
        var half = new int[papers.Count];
        foreach (var i in splits[^1].Rows)
            half[i] = 1;
        var (_, otherHalf) = HeldOutTopics.Predict(papers, half, tagging, trainer, Console.Out);

        foreach (var split in splits)
            Console.WriteLine($"{split.Name}: the predicted top category is the primary for {split.Rows.Average(i => tags[i].Count > 0 && tags[i][0].Topic == papers[i].Primary ? 1.0 : 0):P1} of papers " +
                $"({split.Rows.Average(i => tagging.Classes[Array.IndexOf(otherHalf[i], otherHalf[i].Max())] == papers[i].Primary ? 1.0 : 0):P1} from the other half's tagger); " +
                $"the top probability is at least 0.5 for {split.Rows.Average(i => probabilities[i].Max() >= 0.5 ? 1.0 : 0):P1}, 0.8 for {split.Rows.Average(i => probabilities[i].Max() >= 0.8 ? 1.0 : 0):P1}.");
        var results = splits.Select(split =>
        {
            var r = split.Rows;
            var vectors = new RelevanceVectors(cache.ModelId, [.. r.Select(i => texts[i])], [], [], []);
            var rerank = new SimilarRerank(split.Papers, vectors, depths.Max(), FusionWeights.Similar);
            var cosine = new SimilarRerank(split.Papers, vectors, RelevanceEval.TopK, FusionWeights.MeaningOnly).SamePrimary();
            var nearest = PaperSignals.Nearest(vectors.Papers, 50);
            var tfidf = PaperSignals.TfIdfCosine(split.Papers);
            var mean = PaperSignals.Mean(vectors.Papers);
            double Cos(int q, int c) => TensorPrimitives.Dot(vectors.Papers[q], vectors.Papers[c]);
            int Coauthors(int q, int c) => PaperAuthors.Shared(authors.GetValueOrDefault(split.Papers[q].Id), authors.GetValueOrDefault(split.Papers[c].Id));
            var signals = new List<(string Name, Func<int, int, double> Score)>
            {
                ("shared authors (the Api's author key)", (q, c) => Coauthors(q, c)),
                ("shared authors, then cosine", (q, c) => Coauthors(q, c) + Cos(q, c)),
                ("predicted tags: cosine of tag scores", (q, c) => RelevanceEval.TopicSimilarity(tags[r[q]], tags[r[c]])),
                ("predicted categories: cosine of probabilities", (q, c) => PaperSignals.Cosine(probabilities[r[q]], probabilities[r[c]])),
                ("predicted categories, tagger of the other half: cosine of probabilities", (q, c) => PaperSignals.Cosine(otherHalf[r[q]], otherHalf[r[c]])),
                ("predicted categories: cosine of probabilities, confident queries only (top ≥ 0.5)", (q, c) => probabilities[r[q]].Max() >= 0.5 ? PaperSignals.Cosine(probabilities[r[q]], probabilities[r[c]]) : 0),
                ("predicted categories: cosine of probabilities, confident queries only (top ≥ 0.8)", (q, c) => probabilities[r[q]].Max() >= 0.8 ? PaperSignals.Cosine(probabilities[r[q]], probabilities[r[c]]) : 0),
                ("predicted categories: same top category", (q, c) => tags[r[q]].Count > 0 && tags[r[c]].Count > 0 && tags[r[q]][0].Topic == tags[r[c]][0].Topic ? 1 + Cos(q, c) : Cos(q, c)),
                ("cosine (the paper vector)", Cos),
                ("TF-IDF cosine (1-2 grams)", tfidf),
                ("CSLS: 2 cos - candidate's mean cos to its 10 nearest", PaperSignals.Csls(vectors.Papers, nearest, 10)),
                ("centred cosine (split mean removed)", (q, c) => PaperSignals.CentredCosine(vectors.Papers[q], vectors.Papers[c], mean)),
            };
            foreach (var beta in new[] { 0.25, 0.5, 1 })
                signals.Add(($"cosine + {beta} x TF-IDF cosine (score fusion)", (q, c) => Cos(q, c) + beta * tfidf(q, c)));
            foreach (var k in new[] { 5, 10, 20, 50 })
                foreach (var alpha in new[] { 1.0, 4, 16 })
                    signals.Add(($"feedback: cosine to query + {alpha} x mean of its {k} nearest", PaperSignals.Feedback(vectors.Papers, nearest, k, alpha)));
            foreach (var k in new[] { 16, 64 })
                foreach (var sharpness in new[] { 10.0, 50 })
                    signals.Add(($"k-means topics ({k}, sharpness {sharpness}): cosine of memberships", PaperSignals.Clusters(vectors.Papers, k, sharpness)));
            signals.Add(("UPPER BOUND, circular: stored arXiv categories (Jaccard)", (q, c) => PaperSignals.Jaccard(split.Papers[q].Categories, split.Papers[c].Categories)));
            var coauthored = rerank.Score((q, c) => Coauthors(q, c) > 0 ? 1 : 0);
            var pairs = Enumerable.Range(0, r.Count).SelectMany(q => Enumerable.Range(0, r.Count).Where(c => c != q
                && Coauthors(q, c) > 0)
                .Select(c => split.Papers[q].Primary == split.Papers[c].Primary)).ToList();
            Console.WriteLine($"{split.Name}: {pairs.Count} ordered pairs of papers share an author, {pairs.Average(same => same ? 1.0 : 0):P1} of them a primary; " +
                $"{coauthored.Sum(x => x.Take(RelevanceEval.TopK).Sum())} are in the shipped top {RelevanceEval.TopK}, {coauthored.Sum(x => x.Sum())} in its top {depths.Max()}.");
            var weights = ApiWeights.Select(w => (w, new SimilarRerank(split.Papers, vectors, RelevanceEval.TopK, w).SamePrimary())).ToList();
            var graphs = new[] { (10, 0.8), (10, 0.95), (30, 0.8), (30, 0.95) }.Select(g => (Name: $"diffusion on the {g.Item1}-nearest graph (α {g.Item2})",
                Counts: Sweep(rerank, rerank.ScoreLists(PaperSignals.Diffusion(vectors.Papers, nearest, g.Item1, g.Item2)), depths)));
            return (Cosine: cosine, Base: rerank.SamePrimary(), Weights: weights,
                Signals: signals.Select(s => (s.Name, Counts: Sweep(rerank, rerank.Score(s.Score), depths))).Concat(graphs).ToList());
        }).ToList();
        Print(splits, [.. results.Select(x => x.Signals)], "the shipped ranking");
        Console.WriteLine();
        Console.WriteLine("Against MiniLM cosine alone (± the 95% interval of the paired per-paper differences):");
        Console.WriteLine($"{"MiniLM cosine alone",-62}" + string.Concat(results.Select(x => $"{SimilarRerank.Share(x.Cosine),30:P1}")));
        Console.WriteLine($"{"the shipped ranking",-62}" + string.Concat(results.Select(x => Against(x.Base, x.Cosine))));
        for (var w = 0; w < ApiWeights.Length; w++)
            Console.WriteLine($"{$"  its own weights: {ApiWeights[w]}",-62}" + string.Concat(results.Select(x => Against(x.Weights[w].Item2, x.Cosine))));
        for (var s = 0; s < results[0].Signals.Count; s++)
        {
            var best = Best(results[0].Signals[s].Counts);
            Console.WriteLine($"{"+ " + results[0].Signals[s].Name,-62}" + string.Concat(results.Select(x => Against(x.Signals[s].Counts[best].Same, x.Cosine))));
        }
    }

    /// <summary>The second model's weights tried in <see cref="Fused"/>: cos₁ + w cos₂.</summary>
    private static readonly double[] FusionWeightsTried = [0.1, 0.25, 0.5, 1, 2, 4];

    /// <summary>
    /// Two embedding models for similar papers (the issue's "one model or two"): the configured
    /// model's cosine fused with a second packaged model's (<c>--fuse</c>; its vectors cached in
    /// <c>--fuse-cache</c>, keyed by its own model id), score fusion cos₁ + w cos₂ with w chosen
    /// before 2020 (<see cref="PaperSignals.Fused"/>): alone; the Api's whole similar-papers
    /// ranking on the fused similarity (its feedback and shared neighbours too); and the fused
    /// score re-ranking the shipped ranking. Each against the configured model's cosine alone.
    /// </summary>
    private static void Fused(CommandArgs a, string secondName, ILoggerFactory logging, List<LabelledPaper> papers,
        List<(string Name, List<LabelledPaper> Papers, List<int> Rows)> splits, EmbeddingCache cache, float[][] texts, int[] depths)
    {
        var options = EnrichmentCommands.EmbeddingOptions();
        options.Model = Enum.TryParse<PackagedModel>(secondName, ignoreCase: true, out var m) ? m
            : throw new CommandLineException($"--fuse: '{secondName}' is not a packaged model; use {string.Join(", ", Enum.GetNames<PackagedModel>())}.");
        options.ModelPath = null;
        using var secondEmbedder = EnrichmentCommands.CreateEmbedder(logging, options);
        if (secondEmbedder.ModelId == cache.ModelId)
            throw new CommandLineException($"--fuse: '{secondName}' is the configured model ({cache.ModelId}); fuse another.");
        var other = new EmbeddingCache(secondEmbedder, a.String("fuse-cache"), Console.Out).Embed(papers.Select(p => p.Text).ToList());
        var first = cache.ModelId.Split('/')[0];
        var second = secondEmbedder.ModelId.Split('/')[0];
        Console.WriteLine($"Stored per paper: {first} {texts[0].Length * 4} bytes, {second} {other[0].Length * 4}: {(texts[0].Length + other[0].Length) * 4} bytes " +
            $"for both ({(texts[0].Length + other[0].Length) / (double)texts[0].Length:F1}x), and two model calls a paper (bench prints each model's speed).");

        var results = splits.Select(split =>
        {
            var r = split.Rows;
            RelevanceVectors Vectors(string model, IEnumerable<float[]> v) => new(model, [.. v], [], [], []);
            int[] Ranked(RelevanceVectors v, FusionWeights ranking) => new SimilarRerank(split.Papers, v, RelevanceEval.TopK, ranking).SamePrimary();
            var vectors = Vectors(cache.ModelId, r.Select(i => texts[i]));
            var secondVectors = Vectors(secondEmbedder.ModelId, r.Select(i => other[i]));
            var rows = new List<(string Name, int[] Same)>
            {
                ($"{second} cosine alone", Ranked(secondVectors, FusionWeights.MeaningOnly)),
                ($"{second}, the shipped ranking", Ranked(secondVectors, FusionWeights.Similar)),
            };
            foreach (var w in FusionWeightsTried)
            {
                var fused = Vectors($"{first}+{w}x{second}", r.Select(i => PaperSignals.Fused(texts[i], other[i], w)));
                rows.Add(($"{first} cos + {w} x {second} cos, alone", Ranked(fused, FusionWeights.MeaningOnly)));
                rows.Add(($"the shipped ranking on {first} cos + {w} x {second} cos", Ranked(fused, FusionWeights.Similar)));
            }
            var rerank = new SimilarRerank(split.Papers, vectors, depths.Max(), FusionWeights.Similar);
            var signals = new List<(string Name, Func<int, int, double> Score)> { ($"{second} cosine", (q, c) => TensorPrimitives.Dot(other[r[q]], other[r[c]])) };
            foreach (var w in FusionWeightsTried)
                signals.Add(($"{first} cos + {w} x {second} cos", (q, c) => TensorPrimitives.Dot(texts[r[q]], texts[r[c]]) + w * TensorPrimitives.Dot(other[r[q]], other[r[c]])));
            return (Cosine: Ranked(vectors, FusionWeights.MeaningOnly), Base: rerank.SamePrimary(), Rows: rows,
                Signals: signals.Select(s => (s.Name, Counts: Sweep(rerank, rerank.Score(s.Score), depths))).ToList());
        }).ToList();
        Print(splits, [.. results.Select(x => x.Signals)], "the shipped ranking");
        Console.WriteLine();
        Console.WriteLine($"Against {first} cosine alone (± the 95% interval of the paired per-paper differences; * = the weight best on the tuning half):");
        Console.WriteLine($"{$"{first} cosine alone",-90}" + string.Concat(results.Select(x => $"{SimilarRerank.Share(x.Cosine),30:P1}")));
        Console.WriteLine($"{"the shipped ranking",-90}" + string.Concat(results.Select(x => Against(x.Base, x.Cosine))));
        // Rows come as the two single-model ones, then per weight the fusion alone and the Api's ranking on it.
        var bestAlone = Enumerable.Range(0, FusionWeightsTried.Length).MaxBy(k => (SimilarRerank.Share(results[0].Rows[2 + 2 * k].Same), -k));
        var bestRanked = Enumerable.Range(0, FusionWeightsTried.Length).MaxBy(k => (SimilarRerank.Share(results[0].Rows[3 + 2 * k].Same), -k));
        for (var k = 0; k < results[0].Rows.Count; k++)
        {
            var best = k >= 2 && (k - 2) / 2 == ((k - 2) % 2 == 0 ? bestAlone : bestRanked) ? " *" : "";
            Console.WriteLine($"{results[0].Rows[k].Name + best,-90}" + string.Concat(results.Select(x => Against(x.Rows[k].Same, x.Cosine))));
        }
        for (var s = 0; s < results[0].Signals.Count; s++)
        {
            var best = Best(results[0].Signals[s].Counts);
            var (d, w, _) = results[0].Signals[s].Counts[best];
            Console.WriteLine($"{$"shipped + {results[0].Signals[s].Name} (depth {d}, w {w})",-90}" + string.Concat(results.Select(x => Against(x.Signals[s].Counts[best].Same, x.Cosine))));
        }
    }

    private static string Against(int[] same, int[] baseline)
    {
        var (change, half) = SimilarRerank.Paired(same, baseline);
        return $"{$"{SimilarRerank.Share(same):P1} ({Math.Round(change * 100, 1):+0.0;-0.0;0.0} ± {half * 100:F1})",30}";
    }

    /// <summary>The setting (weight above 0) best on the tuning half, the first of equals.</summary>
    private static int Best(List<(int Depth, double Weight, int[] Same)> counts) =>
        Enumerable.Range(0, counts.Count).Where(k => counts[k].Weight > 0).MaxBy(k => (SimilarRerank.Share(counts[k].Same), -k));

    /// <summary>Every setting of every signal, then each at its best setting on the tuning half against <paramref name="baseline"/> (weight 0).</summary>
    private static void Print(List<(string Name, List<LabelledPaper> Papers, List<int> Rows)> splits, List<List<(string Name, List<(int Depth, double Weight, int[] Same)> Counts)>> results, string baseline)
    {
        Console.WriteLine();
        Console.WriteLine($"Similar papers: {baseline}'s top <depth> re-ranked by fusing its rank (weight 1) with the signal's (weight w; ∞ = the signal alone); share of the top {RelevanceEval.TopK} with the paper's primary. w = 0 is {baseline}.");
        Console.WriteLine($"{"signal",-50} {"depth",5} {"w",5}" + string.Concat(splits.Select(s => $"{s.Name,22}")));
        for (var s = 0; s < results[0].Count; s++)
            for (var k = 0; k < results[0][s].Counts.Count; k++)
            {
                var (d, w, _) = results[0][s].Counts[k];
                Console.WriteLine($"{results[0][s].Name,-50} {d,5} {w,5}" + string.Concat(results.Select(x => $"{SimilarRerank.Share(x[s].Counts[k].Same),22:P1}")));
            }

        Console.WriteLine();
        Console.WriteLine($"Each signal at its best setting on the tuning half; change against {baseline}, ± the 95% interval of the paired per-paper differences:");
        Console.WriteLine($"{"signal",-50} {"depth",5} {"w",5}" + string.Concat(splits.Select(s => $"{s.Name,30}")));
        for (var s = 0; s < results[0].Count; s++)
        {
            var best = Best(results[0][s].Counts);
            var (d, w, _) = results[0][s].Counts[best];
            Console.WriteLine($"{results[0][s].Name,-50} {d,5} {w,5}" + string.Concat(results.Select(x => Against(x[s].Counts[best].Same, x[s].Counts.First(c => c.Weight == 0).Same))));
        }
    }

    /// <summary>
    /// The first session's signals on top of the ranking before shared neighbours
    /// (<see cref="SimilarRerank.Before"/>): sentence-level matching (<see cref="SentenceMatch"/>),
    /// title and abstract vectors, TF-IDF cosine, shared nearest neighbours; and what sentence
    /// matching costs: vectors stored per paper and the re-ranking's time.
    /// </summary>
    private static void Earlier(List<LabelledPaper> papers, List<(string Name, List<LabelledPaper> Papers, List<int> Rows)> splits, OnnxEmbedder embedder,
        EmbeddingCache cache, float[][] texts, int[] depths)
    {
        var sentences = papers.Select(p => SentenceMatch.Split(p.Abstract)).ToList();
        var flat = sentences.SelectMany(s => s).ToList();
        var perPaper = (double)flat.Count / papers.Count;
        Console.WriteLine($"{embedder.ModelId}: {papers.Count} papers, {flat.Count} abstract sentences ({perPaper:F1} a paper, at most {SentenceMatch.MaxSentences}): " +
            $"{perPaper * embedder.Dimensions * 4:F0} bytes a paper as float32 sentence vectors against {embedder.Dimensions * 4} for its one vector today.");

        var abstracts = cache.Embed(papers.Select(p => p.Abstract).ToList());
        var titles = cache.Embed(papers.Select(p => p.Title).ToList());
        var sentenceVectors = cache.Embed(flat);
        var bySentence = new float[papers.Count][][];
        for (int i = 0, at = 0; i < papers.Count; at += sentences[i].Count, i++)
            bySentence[i] = sentenceVectors[at..(at + sentences[i].Count)];
        var withTitle = bySentence.Select((s, i) => s.Prepend(titles[i]).ToArray()).ToArray();
        var centroids = bySentence.Select(s => Centroid(s, embedder.Dimensions)).ToArray();

        var timings = new List<string>();
        var results = splits.Select(split =>
        {
            var r = split.Rows;
            var vectors = new RelevanceVectors(embedder.ModelId, [.. r.Select(i => texts[i])], [.. r.Select(i => abstracts[i])], [.. r.Select(i => titles[i])], [.. r.Select(i => texts[i])]);
            var rerank = new SimilarRerank(split.Papers, vectors, depths.Max());
            var tfidf = PaperSignals.TfIdfCosine(split.Papers);
            var signals = new (string Name, Func<int, int, double> Score)[]
            {
                ("paper vector cosine", (q, c) => TensorPrimitives.Dot(texts[r[q]], texts[r[c]])),
                ("abstract vector cosine", (q, c) => TensorPrimitives.Dot(abstracts[r[q]], abstracts[r[c]])),
                ("title vector cosine", (q, c) => TensorPrimitives.Dot(titles[r[q]], titles[r[c]])),
                ("TF-IDF cosine (1-2 grams)", tfidf),
                ("sentences: query's in candidate's (mean of max)", (q, c) => SentenceMatch.MaxSim(bySentence[r[q]], bySentence[r[c]], both: false)),
                ("sentences: both directions", (q, c) => SentenceMatch.MaxSim(bySentence[r[q]], bySentence[r[c]], both: true)),
                ("title + sentences: both directions", (q, c) => SentenceMatch.MaxSim(withTitle[r[q]], withTitle[r[c]], both: true)),
                ("sentences: optimal transport", (q, c) => SentenceMatch.Transport(bySentence[r[q]], bySentence[r[c]])),
                ("title + sentences: optimal transport", (q, c) => SentenceMatch.Transport(withTitle[r[q]], withTitle[r[c]])),
                ("mean of sentence vectors: cosine", (q, c) => TensorPrimitives.Dot(centroids[r[q]], centroids[r[c]])),
                ("shared nearest neighbours (k = 20), then cosine", SharedNeighbours(vectors.Papers, 20)),
                ("shared nearest neighbours (k = 50), then cosine", SharedNeighbours(vectors.Papers, 50)),
            };
            var pooled = new (string Name, double[][] Scores)[]
            {
                ("shared neighbours among the candidates (k = 10)", rerank.ScoreLists((q, c) => PoolNeighbours(vectors.Papers, q, c, 10))),
                ("shared neighbours among the candidates (k = 20)", rerank.ScoreLists((q, c) => PoolNeighbours(vectors.Papers, q, c, 20))),
            };
            return pooled.Select(p => (p.Name, Counts: Sweep(rerank, p.Scores, depths))).Concat(signals.Select(s =>
            {
                var watch = Stopwatch.StartNew();
                var scores = rerank.Score(s.Score);
                if (s.Name.StartsWith("sentences:", StringComparison.Ordinal))
                    timings.Add($"{split.Name}: '{s.Name}' on {depths.Max()} candidates: {watch.Elapsed.TotalMilliseconds / split.Papers.Count:F2} ms a paper (all cores)");
                return (s.Name, Counts: Sweep(rerank, scores, depths));
            })).ToList();
        }).ToList();
        Print(splits, results, "the Api's ranking before shared neighbours");
        timings.ForEach(Console.WriteLine);
    }

    private static List<(int Depth, double Weight, int[] Same)> Sweep(SimilarRerank rerank, double[][] scores, int[] depths) =>
        [.. depths.SelectMany(d => Weights.Select(w => (d, w, rerank.SamePrimary(scores, d, w))))];

    /// <summary>
    /// How many of the two papers' <paramref name="k"/> nearest neighbours (by the paper vector,
    /// within the split) they share, cosine breaking ties: papers of one topic sit in each
    /// other's neighbourhoods, a paper that is merely close to the query need not.
    /// </summary>
    private static Func<int, int, double> SharedNeighbours(float[][] vectors, int k)
    {
        var neighbours = PaperSignals.Nearest(vectors, k).Select(n => n.ToHashSet()).ToArray();
        return (q, c) => neighbours[q].Count(neighbours[c].Contains) + TensorPrimitives.Dot(vectors[q], vectors[c]);
    }

    /// <summary>
    /// <see cref="SharedNeighbours"/> within the query's own candidate list: each candidate's
    /// <paramref name="k"/> nearest among the query and the other candidates, against the query's;
    /// needs only the candidates' vectors, not a search per candidate.
    /// </summary>
    private static double[] PoolNeighbours(float[][] vectors, int query, int[] candidates, int k)
    {
        var pool = candidates.Prepend(query).ToArray();
        var similarity = new float[pool.Length, pool.Length];
        for (var a = 0; a < pool.Length; a++)
            for (var b = a + 1; b < pool.Length; b++)
                similarity[a, b] = similarity[b, a] = TensorPrimitives.Dot(vectors[pool[a]], vectors[pool[b]]);
        var nearest = Enumerable.Range(0, pool.Length).Select(a => Enumerable.Range(0, pool.Length).Where(b => b != a)
            .OrderByDescending(b => similarity[a, b]).Take(k).ToHashSet()).ToArray();
        return [.. Enumerable.Range(1, candidates.Length).Select(c => nearest[0].Count(nearest[c].Contains) + (double)similarity[0, c])];
    }

    /// <summary>The normalised mean of a paper's sentence vectors (another pooling of the same vectors; none for a paper without sentences).</summary>
    private static float[] Centroid(float[][] sentences, int dimensions)
    {
        var mean = new float[dimensions];
        foreach (var s in sentences)
            TensorPrimitives.Add(mean, s, mean);
        return PaperSignals.Normalised(mean);
    }
}
