using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Api.Search;

namespace Papers.Search.Bench;

/// <summary>
/// <c>profile --index DIR</c>: single-threaded latency of each half of a hybrid search on a built
/// index (keyword only, vector only, both), so the load numbers can be traced to their cause.
/// </summary>
public static class ProfileCommand
{
    public static int Run(Args args)
    {
        var workspace = new Workspace(args.String("work") ?? RunCommand.DefaultWork, Repository.Root());
        var corpus = workspace.Corpus(null);
        var (queries, vectors) = workspace.Queries(corpus, null);
        var count = Math.Min(args.Int("queries", 1_000), queries.Count);
        using var index = new DiskSearchIndex(new SearchOptions { Backend = SearchBackend.Disk, IndexDirectory = args.Required("index") },
            NullLogger.Instance, TimeProvider.System);
        Console.WriteLine($"{index.Count:N0} papers, {count} queries, one thread");
        void Time(string what, Func<int, int> search)
        {
            for (var i = 0; i < Math.Min(100, count); i++)
                search(i);
            var times = new double[count];
            long hits = 0;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < count; i++)
            {
                var watch = Stopwatch.StartNew();
                hits += search(i);
                times[i] = watch.Elapsed.TotalMilliseconds;
            }
            var cpuPerQuery = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / count;
            Array.Sort(times);
            // Wall-clock percentiles include time this thread waited for a core on a busy machine; CPU time doesn't.
            Console.WriteLine($"  {what,-14} CPU {cpuPerQuery,6:F2} ms/query; wall mean {times.Average(),6:F2} ms  p50 {times[count / 2],6:F2} ms  p99 {times[count * 99 / 100],6:F2} ms  max {times[^1],7:F2} ms  ({hits / (double)count:F1} hits)");
        }
        Time("keyword only", i => index.Search(queries[i], null, null, ServeCommand.Limit).Count);
        Time("vector only", i => index.Search("", vectors[i], corpus.Model, ServeCommand.Limit).Count);
        Time("hybrid", i => index.Search(queries[i], vectors[i], corpus.Model, ServeCommand.Limit).Count);
        Time("similar", i => index.Similar(Corpus.IdOf(i * 7), 10).Count);

        if (args.Has("ef"))
        {
            var recallQueries = vectors.Take(args.Int("recall-queries", 300)).ToArray();
            var exact = Measure.ExactNeighbours(corpus, index.Count, recallQueries, 10);
            RecallByEf(index, corpus, recallQueries, exact, args.Required("ef").Split(',').Select(int.Parse).ToArray());
        }
        return 0;
    }

    /// <summary>
    /// Recall@10 and cost of the HNSW search alone (200 wanted, as served) against exact search,
    /// by search-time ef; "within 0.01" also counts a returned paper whose exact similarity is
    /// within 0.01 of the exact 10th (a near-tie, not a miss to a reader).
    /// </summary>
    public static List<EfResult> RecallByEf(DiskSearchIndex index, Corpus corpus, float[][] queries, int[][] exact, int[] efs)
    {
        var papers = index.Count;
        if (Enumerable.Range(0, 20).Any(j => index.KeyOf(Corpus.IdOf(j * (papers / 20))) != (ulong)(j * (papers / 20)) + 1))
            throw new InvalidOperationException("keys are not paper number + 1: build the index with the run command");
        var vectorIndex = index.Vectors[corpus.Model];
        var buffer = new float[corpus.Dimensions];
        var tenth = exact.Select((e, q) => Similarity(e[^1], q)).ToArray();
        double Similarity(int paper, int q)
        {
            corpus.VectorInto(paper, buffer);
            return System.Numerics.Tensors.TensorPrimitives.Dot(buffer, queries[q]);
        }
        var results = new List<EfResult>();
        foreach (var ef in efs)
        {
            vectorIndex.ChangeExpansionSearch(ef);
            var keys = new ulong[RankFusion.Candidates];
            var distances = new float[RankFusion.Candidates];
            int found = 0, near = 0;
            var watch = Stopwatch.StartNew();
            for (var q = 0; q < queries.Length; q++)
            {
                var returned = Math.Min(10, vectorIndex.Search(queries[q], keys, distances));
                found += keys.Take(returned).Count(k => exact[q].Contains((int)k - 1));
            }
            var perSearch = watch.Elapsed.TotalMilliseconds / queries.Length;
            for (var q = 0; q < queries.Length; q++)
            {
                var returned = Math.Min(10, vectorIndex.Search(queries[q], keys, distances));
                near += keys.Take(returned).Count(k => Similarity((int)k - 1, q) >= tenth[q] - 0.01);
            }
            var result = new EfResult(ef, found / (10.0 * queries.Length), near / (10.0 * queries.Length), perSearch);
            Console.WriteLine($"  ef {ef,5}: recall@10 {result.Recall:F4}, within 0.01 of the exact 10th {result.NearRecall:F4}, {perSearch:F2} ms per search of {RankFusion.Candidates} (one thread)");
            results.Add(result);
        }
        vectorIndex.ChangeExpansionSearch(new SearchOptions().ExpansionSearch);
        return results;
    }
}

public sealed record EfResult(int Ef, double Recall, double NearRecall, double MsPerSearch);
