using System.Diagnostics;
using Papers.Analytics.Archive;
using Papers.Contracts;

namespace Papers.Analytics.Bench;

/// <summary>The Parquet writer alone: rows of PaperViewed in files of the service's default batch size, as the consumer writes them.</summary>
public static class WriterBench
{
    public static async Task<int> RunAsync(int events)
    {
        var root = Directory.CreateTempSubdirectory("papers-writer-bench-");
        try
        {
            var schema = new ArchivedTypes(typeof(PaperViewed).Assembly, []).Of(typeof(PaperViewed));
            var batch = new ArchiveOptions().BatchSize;
            var start = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
            var rows = Enumerable.Range(0, events).Select(i => schema.Row(Guid.NewGuid(), start.UtcDateTime, new PaperViewed($"2411.{i % 5000:00000}", start.AddMilliseconds(i * 10L)))).ToList();
            var layout = new ArchiveLayout(root.FullName);
            // Warm-up: the first file pays for JIT.
            await ParquetParts.WriteAsync(schema, rows[..Math.Min(batch, rows.Count)], layout.FullPath("warmup.parquet"), CancellationToken.None);
            File.Delete(layout.FullPath("warmup.parquet"));

            var clock = Stopwatch.StartNew();
            var files = 0;
            foreach (var chunk in rows.Chunk(batch))
            {
                await ParquetParts.WriteAsync(schema, chunk, layout.FullPath(ArchiveLayout.NewPart(schema.Name, chunk[0].Day, DateTime.UtcNow)), CancellationToken.None);
                files++;
            }
            clock.Stop();
            var bytes = Directory.EnumerateFiles(root.FullName, "*.parquet", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"writer: {events:N0} PaperViewed in {files:N0} files of {batch:N0} in {clock.Elapsed.TotalSeconds:0.00} s = {events / clock.Elapsed.TotalSeconds:N0} events/s (target >= 100,000); {(double)bytes / events:0.0} bytes/event ({bytes / 1024.0 / 1024:0.0} MiB)");
            return 0;
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
