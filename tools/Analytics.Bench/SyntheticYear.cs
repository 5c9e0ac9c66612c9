using Papers.Analytics.Archive;
using Papers.Analytics.Data;
using Papers.Contracts;

namespace Papers.Analytics.Bench;

/// <summary>
/// A year of the platform's events written into an archive as the service lays it out (files of
/// the default batch size per type and day, each recorded as committed in the service's database,
/// where the queries take their list of files from): per day a thousandth-share of papers ingested and
/// enriched (minutes to two hours later), searches (a 5,000-term vocabulary, one in six finding
/// nothing), upvotes and some withdrawals, digests, and the rest views, mostly of the week's papers.
/// </summary>
public static class SyntheticYear
{
    public static readonly DateOnly FirstDay = new(2025, 12, 1);
    public const int Days = 365;

    public static async Task<long> WriteAsync(string root, AnalyticsDbContext db, int events)
    {
        var types = new ArchivedTypes(typeof(PaperViewed).Assembly, []);
        var layout = new ArchiveLayout(root);
        var batch = new ArchiveOptions().BatchSize;
        var random = new Random(18);
        var perDay = events / Days;
        int papers = Math.Max(10, perDay * 365 / 10_000), enrichedShare = papers, searches = perDay / 10, upvotes = perDay / 20, withdrawals = perDay / 200, digests = perDay / 200;
        var views = perDay - papers - enrichedShare - searches - upvotes - withdrawals - digests;
        var terms = Enumerable.Range(0, 5000).Select(i => $"term {i} {(char)('a' + (i % 26))}").ToArray();
        long written = 0;

        for (var d = 0; d < Days; d++)
        {
            var day = FirstDay.AddDays(d);
            var midnight = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            DateTimeOffset At() => midnight.AddSeconds(random.Next(86_400));
            string Recent() => PaperId(Math.Max(0, d - (int)(7 * Math.Pow(random.NextDouble(), 2))), (int)(papers * Math.Pow(random.NextDouble(), 3)));
            string[] categories = ["cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML", "math.OC", "hep-th", "quant-ph"];

            var ingested = Enumerable.Range(0, papers).Select(i => (object)new PaperIngested(PaperId(d, i), 1, "A title", "An abstract.", [new PaperAuthor("A. Author")],
                categories[i % categories.Length], [categories[i % categories.Length]], day, day, "arxiv", 0, null, null, null, null, null, null, null, $"h{i}", midnight.AddSeconds(i * 60 % 86_400))).ToList();
            written += await WriteDayAsync(types.Of(typeof(PaperIngested)), ingested);
            written += await WriteDayAsync(types.Of(typeof(PaperEnriched)), [.. ingested.Cast<PaperIngested>().Select(p => new PaperEnriched(p.PaperId, 1, p.ContentHash, [0.1f, 0.2f], "minilm",
                [new TopicTag(p.PrimaryCategory!, p.PrimaryCategory!, 0.9)], p.PrimaryCategory, ["k"], p.IngestedAt.AddMinutes(1 + random.Next(120))))]);
            written += await WriteDayAsync(types.Of(typeof(SearchPerformed)), [.. Enumerable.Range(0, searches).Select(_ =>
            {
                var zero = random.Next(6) == 0;
                return new SearchPerformed(terms[(int)(terms.Length * Math.Pow(random.NextDouble(), 3))], zero ? 0 : 1 + random.Next(40), zero ? [] : [Recent()], At());
            })]);
            written += await WriteDayAsync(types.Of(typeof(PaperUpvoted)), [.. Enumerable.Range(0, upvotes).Select(i => new PaperUpvoted(Recent(), $"v-{random.Next(100_000):x}", 1, At()))]);
            written += await WriteDayAsync(types.Of(typeof(PaperUpvoteWithdrawn)), [.. Enumerable.Range(0, withdrawals).Select(i => new PaperUpvoteWithdrawn(Recent(), $"v-{random.Next(100_000):x}", 0, At()))]);
            written += await WriteDayAsync(types.Of(typeof(DigestSent)), [.. Enumerable.Range(0, digests).Select(i => new DigestSent(Guid.NewGuid(), Guid.NewGuid(), ["cs.LG"], [Recent()], At()))]);
            written += await WriteDayAsync(types.Of(typeof(PaperViewed)), [.. Enumerable.Range(0, views).Select(_ => new PaperViewed(Recent(), At()))]);
        }
        await db.SaveChangesAsync();
        return written;

        async Task<int> WriteDayAsync(ArchiveSchema schema, IReadOnlyList<object> messages)
        {
            foreach (var chunk in messages.Select(m => schema.Row(Guid.NewGuid(), null, m)).Chunk(batch))
            {
                var relative = ArchiveLayout.NewPart(schema.Name, chunk[0].Day, DateTime.UtcNow);
                await ParquetParts.WriteAsync(schema, chunk, layout.FullPath(relative), CancellationToken.None);
                db.Files.Add(new ArchiveFile { Path = relative, EventType = schema.Name, Day = chunk[0].Day, Events = chunk.Length, WrittenAt = DateTime.UtcNow });
            }
            return messages.Count;
        }
    }

    private static string PaperId(int day, int index) => $"{2512 + day / 30}.{day % 30:00}{index:000}";
}
