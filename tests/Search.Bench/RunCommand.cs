using System.Diagnostics;
using System.Net.Http.Json;
using System.Numerics.Tensors;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Api.Search;

namespace Papers.Search.Bench;

public sealed record QuantizationResult(int Papers, string Quantization, double BuildSeconds, double MemoryMb, double RecallServed, double RecallTen);

public sealed record RunResult(int Papers, string Backend, string Quantization, DateTime At, double BuildSeconds, double SnapshotSeconds,
    double DiskMb, double BuildPeakMb, double? Recall, double? SimilarityError, int RecallQueries, double SpawnToReadySeconds,
    Ready Ready, ServerStats Stats, List<Load> Loads, List<EfResult>? RecallByEf = null, int ExpansionSearch = 0)
{
    /// <summary>During the build: cores' worth of CPU this process got, and how busy the whole machine was.</summary>
    public Cores? BuildCores { get; init; }
}

/// <summary>Cores' worth of CPU a process got, and how busy the whole machine was meanwhile.</summary>
public sealed record Cores(double Own, double Machine);

/// <summary>
/// <c>run</c>: build, recall, cold start, memory and load for one size. Every number printed is
/// measured in this run on this machine; a busy neighbour on a shared machine shows as noise.
/// </summary>
public static class RunCommand
{
    public static string DefaultWork => Path.Combine(Path.GetTempPath(), "papers-search-bench");

    public static async Task<int> RunAsync(Args args)
    {
        var papers = args.Int("papers", 100_000);
        var workspace = new Workspace(args.String("work") ?? DefaultWork, Repository.Root());
        var quantization = Enum.Parse<VectorQuantization>(args.String("quantization") ?? "I8", ignoreCase: true);
        var endpoints = (args.String("endpoints") ?? "/search,/search-vector").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var load = (Seconds: args.Int("duration", 30), Connections: args.Int("connections", 16), Threads: args.Int("threads", 2));
        Console.WriteLine($"{papers:N0} papers; {Environment.ProcessorCount} cores, {Report.Machine()}; work folder {workspace.Root}");

        Corpus corpus;
        List<string> queries;
        float[][] queryVectors;
        using (var embedder = Workspace.CreateEmbedder())
        {
            corpus = workspace.Corpus(embedder);
            (queries, queryVectors) = workspace.Queries(corpus, embedder);
        }
        var recallQueries = queryVectors.Take(args.Int("recall-queries", 300)).ToArray();
        var directory = workspace.IndexDirectory(papers, quantization.ToString());
        var resultFile = Path.Combine(workspace.ResultsDirectory, $"{papers}-Disk-{quantization}.json");
        // --reuse: serve an index built by an earlier run again (say, on a quieter machine), keeping that run's build and recall figures.
        var earlier = args.Has("reuse") && Directory.Exists(directory) && File.Exists(resultFile)
            ? JsonSerializer.Deserialize<RunResult>(File.ReadAllText(resultFile)) : null;
        var exact = Array.Empty<int[]>();
        if (earlier is null || args.Has("compare-quantization"))
        {
            var watch = Stopwatch.StartNew();
            exact = Measure.ExactNeighbours(corpus, papers, recallQueries, 10);
            Console.WriteLine($"exact top-10 of {recallQueries.Length} queries over {papers:N0} vectors: {watch.Elapsed.TotalSeconds:F1} s");
        }

        if (args.Has("compare-quantization"))
        {
            var compared = new[] { VectorQuantization.F32, VectorQuantization.F16, VectorQuantization.BF16, VectorQuantization.I8 }
                .Select(q => CompareQuantization(corpus, papers, q, recallQueries, exact)).ToList();
            File.WriteAllText(Path.Combine(workspace.ResultsDirectory, $"quantization-{papers}.json"), JsonSerializer.Serialize(compared));
        }

        if (!args.Has("skip-disk"))
        {
            var efs = (args.String("ef") ?? "200,400,800,1600").Split(',').Select(int.Parse).ToArray();
            var before = CpuSample.Take(Environment.ProcessId);
            var (build, snapshot, peak, recall, error, byEf) = earlier is not null
                ? (earlier.BuildSeconds, earlier.SnapshotSeconds, earlier.BuildPeakMb, earlier.Recall, earlier.SimilarityError, earlier.RecallByEf)
                : Build(corpus, papers, directory, quantization, recallQueries, exact, efs);
            var after = CpuSample.Take(Environment.ProcessId);
            var buildCores = earlier is not null ? earlier.BuildCores
                : new Cores((after.Process - before.Process) / (after.Wall - before.Wall), (after.MachineBusy - before.MachineBusy) / (after.Wall - before.Wall));
            var served = await ServeAsync(workspace, ["--backend", "Disk", "--index", directory], directory, endpoints, load);
            Save(workspace, new RunResult(papers, "Disk", quantization.ToString(), DateTime.UtcNow, build, snapshot,
                Measure.DirectoryBytes(directory) / 1048576.0, peak, recall, error, recallQueries.Length, served.SpawnToReady, served.Ready, served.Stats, served.Loads,
                byEf, new SearchOptions().ExpansionSearch)
            { BuildCores = buildCores });
        }
        if (args.Has("baseline"))
        {
            var served = await ServeAsync(workspace, ["--backend", "InMemory", "--papers", papers.ToString(System.Globalization.CultureInfo.InvariantCulture)], null, endpoints, load);
            Save(workspace, new RunResult(papers, "InMemory", "F32", DateTime.UtcNow, served.Ready.IndexOpenMs / 1000, 0, 0, 0, 1, 0,
                recallQueries.Length, served.SpawnToReady, served.Ready, served.Stats, served.Loads));
        }
        Report.PrintAll(workspace);
        return 0;
    }

    private static (double Build, double Snapshot, double PeakMb, double Recall, double SimilarityError, List<EfResult> ByEf) Build(
        Corpus corpus, int papers, string directory, VectorQuantization quantization, float[][] queries, int[][] exact, int[] efs)
    {
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        var options = new SearchOptions { Backend = SearchBackend.Disk, IndexDirectory = directory, Quantization = quantization };
        using var index = new DiskSearchIndex(options, NullLogger.Instance, TimeProvider.System);
        var watch = Stopwatch.StartNew();
        const int Batch = 10_000;
        for (var start = 0; start < papers; start += Batch)
        {
            var batch = new IndexedPaper[Math.Min(Batch, papers - start)];
            Parallel.For(0, batch.Length, i => batch[i] = corpus.Paper(start + i));
            index.Upsert(batch);
            if ((start + batch.Length) % 100_000 == 0 || start + batch.Length == papers)
                Console.WriteLine($"  built {start + batch.Length:N0} papers in {watch.Elapsed.TotalSeconds:F0} s ({(start + batch.Length) / watch.Elapsed.TotalSeconds:F0}/s), RSS {Memory.Of().RssMb:F0} MiB");
        }
        var build = watch.Elapsed.TotalSeconds;
        watch.Restart();
        index.Checkpoint(DateTime.UtcNow, force: true);
        var snapshot = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"disk index: {papers:N0} papers built in {build:F1} s ({papers / build:F0}/s), snapshot written in {snapshot:F1} s");

        // Recall through the served path: a semantic-only search returns the top of the HNSW
        // candidates (200 wanted, so ef = 200) as paper ids; exact top 10 above the similarity floor.
        var found = 0;
        var expected = 0;
        var errors = new List<double>();
        var vector = new float[corpus.Dimensions];
        for (var q = 0; q < queries.Length; q++)
        {
            var truth = exact[q].Select(i => (Id: Corpus.IdOf(i), Similarity: Similarity(corpus, i, queries[q], vector)))
                .Where(t => t.Similarity >= RankFusion.MinSimilarity).ToDictionary(t => t.Id, t => t.Similarity);
            var hits = index.Search("", queries[q], corpus.Model, 10);
            expected += truth.Count;
            found += hits.Count(h => truth.ContainsKey(h.PaperId));
            errors.AddRange(hits.Select(h => Math.Abs(h.Similarity!.Value - Similarity(corpus, Corpus.IndexOf(h.PaperId), queries[q], vector))));
        }
        var recall = (double)found / expected;
        Console.WriteLine($"recall@10 {recall:F4} over {queries.Length} queries ({expected} exact neighbours above {RankFusion.MinSimilarity}), served path at ef {options.ExpansionSearch}; mean |similarity error| {errors.Average():F4}");
        var byEf = ProfileCommand.RecallByEf(index, corpus, queries, exact, efs);
        return (build, snapshot, Memory.Of().PeakMb, recall, errors.Average(), byEf);
    }

    private static double Similarity(Corpus corpus, int paper, float[] query, float[] buffer)
    {
        corpus.VectorInto(paper, buffer);
        return TensorPrimitives.Dot(buffer, query);
    }

    private static QuantizationResult CompareQuantization(Corpus corpus, int papers, VectorQuantization quantization, float[][] queries, int[][] exact)
    {
        using var index = VectorIndex.Create(corpus.Dimensions, new SearchOptions { Quantization = quantization }.Hnsw);
        index.EnsureCapacity(papers);
        var watch = Stopwatch.StartNew();
        Parallel.For(0, papers, () => new float[corpus.Dimensions], (i, _, vector) =>
        {
            corpus.VectorInto(i, vector);
            index.Add((ulong)i, vector);
            return vector;
        }, _ => { });
        var build = watch.Elapsed.TotalSeconds;
        double Recall(int wanted)
        {
            var keys = new ulong[wanted];
            var distances = new float[wanted];
            var hits = 0;
            for (var q = 0; q < queries.Length; q++)
            {
                var count = index.Search(queries[q], keys, distances);
                hits += keys.Take(Math.Min(10, count)).Count(k => exact[q].Contains((int)k));
            }
            return hits / (10.0 * queries.Length);
        }
        var served = Recall(RankFusion.Candidates);
        index.ChangeExpansionSearch(64);
        var result = new QuantizationResult(papers, quantization.ToString(), build, index.MemoryBytes / 1048576.0, served, Recall(10));
        Console.WriteLine($"  {quantization,-4}: HNSW of {papers:N0} built in {build:F1} s, {result.MemoryMb:F0} MiB, recall@10 {result.RecallServed:F4} (200 wanted, ef {new SearchOptions().ExpansionSearch}, as served), {result.RecallTen:F4} (10 wanted, ef 64)");
        return result;
    }

    private static async Task<(double SpawnToReady, Ready Ready, ServerStats Stats, List<Load> Loads)> ServeAsync(
        Workspace workspace, string[] serveArgs, string? indexDirectory, string[] endpoints, (int Seconds, int Connections, int Threads) load)
    {
        if (indexDirectory is not null)
            Measure.EvictFromPageCache(indexDirectory);
        var port = 5199;
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(RunCommand).Assembly.Location);
        foreach (var a in (string[])["serve", .. serveArgs, "--work", workspace.Root, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var server = Process.Start(start)!;
        var errors = new StringBuilder();
        server.ErrorDataReceived += (_, e) => errors.AppendLine(e.Data);
        server.BeginErrorReadLine();
        Ready? ready = null;
        while (await server.StandardOutput.ReadLineAsync() is { } line)
            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                ready = JsonSerializer.Deserialize<Ready>(line[6..]);
                break;
            }
        var spawnToReady = watch.Elapsed.TotalSeconds;
        if (ready is null)
            throw new InvalidOperationException($"The serving process exited before it was ready:\n{errors}");
        _ = server.StandardOutput.ReadToEndAsync();
        Console.WriteLine($"{string.Join(' ', serveArgs)}: ready {spawnToReady:F1} s after spawn (model {ready.ModelLoadMs / 1000:F1} s, index {ready.IndexOpenMs / 1000:F1} s, first search {ready.FirstSearchMs:F0} ms), RSS {ready.AfterIndex.RssMb:F0} MiB");
        try
        {
            var url = $"http://127.0.0.1:{port}";
            Measure.Wrk(url, "/search-vector", workspace.QueriesFile, workspace.WrkScriptFile, load.Connections, load.Threads, 10, server.Id); // warm-up, not reported
            var loads = new List<Load>();
            foreach (var endpoint in endpoints)
            {
                var result = Measure.Wrk(url, endpoint, workspace.QueriesFile, workspace.WrkScriptFile, load.Connections, load.Threads, load.Seconds, server.Id);
                Console.WriteLine($"  {endpoint,-15} {result.RequestsPerSecond,7:F0} req/s  p50 {result.P50Ms,6:F1} ms  p90 {result.P90Ms,6:F1} ms  p99 {result.P99Ms,6:F1} ms  ({result.Requests} requests, {result.Errors} errors); " +
                    $"server {result.ServerCpuMsPerRequest:F2} CPU-ms/request, {result.ServerCpuCores:F2} cores; wrk {result.WrkCpuCores:F2} cores; machine busy {result.MachineBusyCores:F2} of {Environment.ProcessorCount} cores");
                loads.Add(result);
            }
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var stats = (await http.GetFromJsonAsync<ServerStats>("/stats"))!;
            Console.WriteLine($"  memory after load: RSS {stats.Memory.RssMb:F0} MiB (anonymous {stats.Memory.AnonMb:F0}, file-backed {stats.Memory.FileMb:F0}), peak {stats.Memory.PeakMb:F0} MiB; GC heap {stats.GcHeapMb:F0} MiB; HNSW {stats.VectorIndexMb:F0} MiB");
            return (spawnToReady, ready, stats, loads);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static void Save(Workspace workspace, RunResult result) =>
        File.WriteAllText(Path.Combine(workspace.ResultsDirectory, $"{result.Papers}-{result.Backend}-{result.Quantization}.json"), JsonSerializer.Serialize(result));
}
