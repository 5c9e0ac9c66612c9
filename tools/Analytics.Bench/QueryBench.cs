using System.Diagnostics;
using Papers.Analytics.Archive;
using Papers.Analytics.Queries;
using Papers.Contracts;

namespace Papers.Analytics.Bench;

/// <summary>Every ready query over the whole synthetic year (the widest range the endpoints allow), first run and second.</summary>
public static class QueryBench
{
    public static async Task<int> RunAsync(int events)
    {
        var root = Directory.CreateTempSubdirectory("papers-query-bench-");
        try
        {
            var clock = Stopwatch.StartNew();
            var written = await SyntheticYear.WriteAsync(root.FullName, events);
            var files = Directory.EnumerateFiles(root.FullName, "*.parquet", SearchOption.AllDirectories).ToList();
            Console.WriteLine($"synthetic year: {written:N0} events in {files.Count:N0} files, {files.Sum(f => new FileInfo(f).Length) / 1024.0 / 1024:0} MiB, written in {clock.Elapsed.TotalSeconds:0} s");

            var options = new ArchiveOptions { Root = root.FullName };
            var ready = new ReadyQueries(new ArchiveQueries(options, new ArchivedTypes(typeof(PaperViewed).Assembly, [])));
            DateOnly from = SyntheticYear.FirstDay, to = SyntheticYear.FirstDay.AddDays(SyntheticYear.Days - 1);
            var queries = new (string Name, Func<Task<int>> Run)[]
            {
                ("papers-per-day", async () => (await ready.PapersPerDayAsync(from, to, default)).Count),
                ("enrichment-lag", async () => (await ready.EnrichmentLagAsync(from, to, default)).Count),
                ("searches", async () => (await ready.SearchesAsync(from, to, 10, default)).Top.Count),
                ("top-papers", async () => (await ready.TopPapersAsync(from, to, 10, default)).Count),
                ("digests", async () => (await ready.DigestsAsync(from, to, default)).Count),
            };
            var slowest = TimeSpan.Zero;
            foreach (var (name, run) in queries)
            {
                var times = new List<TimeSpan>();
                var rows = 0;
                for (var i = 0; i < 2; i++)
                {
                    var watch = Stopwatch.StartNew();
                    rows = await run();
                    times.Add(watch.Elapsed);
                }
                slowest = times.Max() > slowest ? times.Max() : slowest;
                Console.WriteLine($"  {name,-15} {times[0].TotalMilliseconds,7:N0} ms first, {times[1].TotalMilliseconds,7:N0} ms second ({rows} rows)");
            }
            Console.WriteLine($"queries: slowest {slowest.TotalSeconds:0.00} s over {SyntheticYear.Days} days (target < 2 s each)");
            return 0;
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
