using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Analytics.Archive;
using Papers.Analytics.Data;
using Papers.Analytics.Queries;
using Papers.Contracts;

namespace Papers.Analytics.Bench;

/// <summary>
/// Every ready query over the whole synthetic year (the widest range the endpoints allow), first
/// run and second, over the files as the writer leaves them and again after the compaction has
/// merged each day's files into one; the answers must be the same.
/// </summary>
public static class QueryBench
{
    private sealed record Figure(string Name, TimeSpan First, TimeSpan Second, string Answer);

    public static async Task<int> RunAsync(int events)
    {
        var root = Directory.CreateTempSubdirectory("papers-query-bench-");
        try
        {
            var options = new ArchiveOptions { Root = Path.Combine(root.FullName, "archive"), CompactAfter = TimeSpan.Zero };
            var services = new ServiceCollection()
                .AddDbContext<AnalyticsDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(root.FullName, "analytics.db")}"))
                .BuildServiceProvider();
            await using (services)
            {
                var scopes = services.GetRequiredService<IServiceScopeFactory>();
                var clock = Stopwatch.StartNew();
                long written;
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
                    await db.Database.EnsureCreatedAsync();
                    written = await SyntheticYear.WriteAsync(options.Root, db, events);
                }
                Console.WriteLine($"synthetic year: {written:N0} events in {Files(options)}, written in {clock.Elapsed.TotalSeconds:0} s");

                var types = new ArchivedTypes(typeof(PaperViewed).Assembly, []);
                var ready = new ReadyQueries(new ArchiveQueries(options, types, scopes));
                var asWritten = await MeasureAsync(ready, "as written");

                clock.Restart();
                var compaction = new ArchiveCompaction(scopes, types, options, TimeProvider.System, NullLogger<ArchiveCompaction>.Instance);
                var days = 0;
                for (int pass; (pass = await compaction.RunAsync(1000, CancellationToken.None)) > 0;)
                    days += pass;
                Console.WriteLine($"compaction: {days:N0} day partitions in {clock.Elapsed.TotalSeconds:0} s, now {Files(options)}");
                var compacted = await MeasureAsync(ready, "compacted");

                var same = asWritten.Zip(compacted).All(p => p.First.Answer == p.Second.Answer);
                Console.WriteLine($"answers the same before and after compaction: {(same ? "yes" : "NO")}");
                Console.WriteLine($"queries: slowest {Slowest(asWritten):0.00} s as written, {Slowest(compacted):0.00} s compacted, over {SyntheticYear.Days} days (target < 2 s each)");
                return same ? 0 : 1;
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task<List<Figure>> MeasureAsync(ReadyQueries ready, string label)
    {
        DateOnly from = SyntheticYear.FirstDay, to = SyntheticYear.FirstDay.AddDays(SyntheticYear.Days - 1);
        var queries = new (string Name, Func<Task<object>> Run)[]
        {
            ("papers-per-day", async () => await ready.PapersPerDayAsync(from, to, default)),
            ("enrichment-lag", async () => await ready.EnrichmentLagAsync(from, to, default)),
            ("searches", async () => await ready.SearchesAsync(from, to, 10, default)),
            ("top-papers", async () => await ready.TopPapersAsync(from, to, 10, default)),
            ("digests", async () => await ready.DigestsAsync(from, to, default)),
        };
        Console.WriteLine($"  {label}:");
        var figures = new List<Figure>();
        foreach (var (name, run) in queries)
        {
            var times = new List<TimeSpan>();
            var answer = "";
            for (var i = 0; i < 2; i++)
            {
                var watch = Stopwatch.StartNew();
                answer = JsonSerializer.Serialize(await run());
                times.Add(watch.Elapsed);
            }
            figures.Add(new Figure(name, times[0], times[1], answer));
            Console.WriteLine($"    {name,-15} {times[0].TotalMilliseconds,7:N0} ms first, {times[1].TotalMilliseconds,7:N0} ms second ({answer.Length:N0} characters of JSON)");
        }
        return figures;
    }

    private static double Slowest(List<Figure> figures) => figures.Max(f => Math.Max(f.First.TotalSeconds, f.Second.TotalSeconds));

    private static string Files(ArchiveOptions options)
    {
        var files = Directory.EnumerateFiles(options.Root, "*.parquet", SearchOption.AllDirectories).ToList();
        return $"{files.Count:N0} files, {files.Sum(f => new FileInfo(f).Length) / 1024.0 / 1024:0} MiB";
    }
}
