using System.Diagnostics;
using System.Numerics.Tensors;
using Papers.Api.Search;
using Papers.Enrichment.Lab.Learning;

namespace Papers.Enrichment.Lab.Commands;

/// <summary>
/// <c>similar [labelled]… [--cache file] [--depths 20,50,100] [--scale N]</c>: candidate similar-papers
/// signals on top of the Api's ranking, with the configured (shipped) model, on eval's time
/// split (chosen before 2020, reported from 2020 on): sentence-level matching
/// (<see cref="SentenceMatch"/>), title and abstract vectors, TF-IDF cosine, shared nearest
/// neighbours, each re-ranking the Api's candidates (<see cref="SimilarRerank"/>) at several
/// depths and weights; then each at its best setting before 2020 with the paired change on both
/// halves. Prints what sentence matching costs: vectors stored per paper and the re-ranking's
/// time per similar-papers call (the embedding time is in <c>bench</c>); with <c>--scale</c>, a
/// similar-papers call's time with and without shared neighbours at N papers (<see cref="SimilarCost"/>).
/// </summary>
internal static class SimilarCommand
{
    private static readonly double[] Weights = [0, 0.25, 0.5, 1, 2, 4, double.PositiveInfinity];

    public static Task<int> RunAsync(string[] args)
    {
        var a = new CommandArgs(args);
        var depths = (a.String("depths") ?? "20,50,100").Split(',').Select(d => int.TryParse(d, out var n) && n >= RelevanceEval.TopK ? n
            : throw new CommandLineException($"--depths: '{d}' is not a whole number of at least {RelevanceEval.TopK}.")).ToArray();
        var inputs = a.Positional.Count > 0 ? EnrichmentCommands.Inputs(a.Positional)
            : Directory.GetFiles(EnrichmentCommands.TrainingFolder(), "*.jsonl").Order(StringComparer.Ordinal).ToList();
        var papers = LabelledPapers.Read(inputs, Console.Out);
        var splits = EvalCommand.Splits(papers);

        using var logging = EnrichmentCommands.Logging();
        using var embedder = EnrichmentCommands.CreateEmbedder(logging);
        var cache = new EmbeddingCache(embedder, a.String("cache"), Console.Out);
        var sentences = papers.Select(p => SentenceMatch.Split(p.Abstract)).ToList();
        var flat = sentences.SelectMany(s => s).ToList();
        var perPaper = (double)flat.Count / papers.Count;
        Console.WriteLine($"{embedder.ModelId}: {papers.Count} papers, {flat.Count} abstract sentences ({perPaper:F1} a paper, at most {SentenceMatch.MaxSentences}): " +
            $"{perPaper * embedder.Dimensions * 4:F0} bytes a paper as float32 sentence vectors against {embedder.Dimensions * 4} for its one vector today.");

        var texts = cache.Embed(papers.Select(p => p.Text).ToList());
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
            var tfidf = TfIdf.Fit(split.Papers.Select(p => p.Text));
            var sparse = split.Papers.Select(p => tfidf.Transform(p.Text)).ToArray();
            var terms = sparse.Select(x => x.Index.Zip(x.Value).ToDictionary(t => t.First, t => t.Second)).ToArray();
            var signals = new (string Name, Func<int, int, double> Score)[]
            {
                ("paper vector cosine", (q, c) => TensorPrimitives.Dot(texts[r[q]], texts[r[c]])),
                ("abstract vector cosine", (q, c) => TensorPrimitives.Dot(abstracts[r[q]], abstracts[r[c]])),
                ("title vector cosine", (q, c) => TensorPrimitives.Dot(titles[r[q]], titles[r[c]])),
                ("TF-IDF cosine (1-2 grams)", (q, c) => sparse[q].Index.Select((t, k) => (double)sparse[q].Value[k] * terms[c].GetValueOrDefault(t)).Sum()),
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

        Console.WriteLine();
        Console.WriteLine($"Similar papers: the Api's top <depth> re-ranked by fusing its rank (weight 1) with the signal's (weight w; ∞ = the signal alone); share of the top {RelevanceEval.TopK} with the paper's primary. w = 0 is the Api's ranking before shared neighbours.");
        Console.WriteLine($"{"signal",-50} {"depth",5} {"w",5}" + string.Concat(splits.Select(s => $"{s.Name,22}")));
        for (var s = 0; s < results[0].Count; s++)
            for (var k = 0; k < results[0][s].Counts.Count; k++)
            {
                var (d, w, _) = results[0][s].Counts[k];
                Console.WriteLine($"{results[0][s].Name,-50} {d,5} {w,5}" + string.Concat(results.Select(x => $"{SimilarRerank.Share(x[s].Counts[k].Same),22:P1}")));
            }

        // Each signal at its best depth and weight on the tuning half (first of equals), against the Api's ranking (weight 0) on the same papers.
        Console.WriteLine();
        Console.WriteLine("Each signal at its best setting on the tuning half; change against the Api's ranking, ± the 95% interval of the paired per-paper differences:");
        Console.WriteLine($"{"signal",-50} {"depth",5} {"w",5}" + string.Concat(splits.Select(s => $"{s.Name,30}")));
        for (var s = 0; s < results[0].Count; s++)
        {
            var best = Enumerable.Range(0, results[0][s].Counts.Count).Where(k => results[0][s].Counts[k].Weight > 0)
                .MaxBy(k => (SimilarRerank.Share(results[0][s].Counts[k].Same), -k));
            var (d, w, _) = results[0][s].Counts[best];
            Console.WriteLine($"{results[0][s].Name,-50} {d,5} {w,5}" + string.Concat(results.Select(x =>
            {
                var (change, half) = SimilarRerank.Paired(x[s].Counts[best].Same, x[s].Counts.First(c => c.Weight == 0).Same);
                return $"{$"{SimilarRerank.Share(x[s].Counts[best].Same):P1} ({Math.Round(change * 100, 1):+0.0;-0.0;0.0} ± {half * 100:F1})",30}";
            })));
        }
        Console.WriteLine($"{"the Api's ranking as shipped (shared neighbours in the index)",-62}" + string.Concat(splits.Select(split =>
        {
            var vectors = new RelevanceVectors(embedder.ModelId, [.. split.Rows.Select(i => texts[i])], [], [], []);
            return $"{RelevanceEval.Similar(split.Papers, vectors, FusionWeights.Similar).Share,30:P1}";
        })));
        timings.ForEach(Console.WriteLine);
        if (a.Has("scale"))
            SimilarCost.Run(texts, embedder.ModelId, a.Int("scale", 100_000, min: 1_000), Console.Out);
        return Task.FromResult(0);
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
        var neighbours = vectors.AsParallel().AsOrdered().Select((v, i) => Enumerable.Range(0, vectors.Length).Where(j => j != i)
            .OrderByDescending(j => TensorPrimitives.Dot(v, vectors[j])).Take(k).ToHashSet()).ToArray();
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

    /// <summary>The normalised mean of a paper's sentence vectors (another pooling of the same vectors).</summary>
    private static float[] Centroid(float[][] sentences, int dimensions)
    {
        var mean = new float[dimensions];
        foreach (var s in sentences)
            TensorPrimitives.Add(mean, s, mean);
        TensorPrimitives.Divide(mean, Math.Max(TensorPrimitives.Norm(mean), 1e-9f), mean);
        return mean;
    }
}
