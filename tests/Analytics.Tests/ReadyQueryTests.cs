using System.Text.RegularExpressions;
using Papers.Analytics.Queries;
using Papers.Contracts;

namespace Papers.Analytics.Tests;

public sealed partial class ReadyQueryTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly From = new(2026, 11, 1), To = new(2026, 11, 30);

    [Fact]
    public async Task The_readme_example_reads_the_archive_with_duckdb()
    {
        var folder = Directory.CreateTempSubdirectory("papers-analyst-");
        // Disposed after the rig, which deletes the archive folder inside it.
        using var cleanup = new FolderCleanup(folder);
        await using var rig = await ArchiveRig.CreateAsync(o => o.Root = Path.Combine(folder.FullName, "archive"));
        await rig.AppendAsync(Events.Viewed("2401.00001", Monday), Events.Viewed("2401.00001", Monday.AddHours(1)), Events.Viewed("2401.00002", Monday),
            Events.Viewed("2401.00003", Monday.AddDays(1)), Events.Viewed("2401.00003", Monday.AddDays(-30)));
        var readme = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Docs", "README.md"));
        var example = SqlBlock().Match(readme[readme.IndexOf("## For analysts", StringComparison.Ordinal)..]).Groups[1].Value;

        await using var connection = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SET file_search_path = '{folder.FullName}'";
        await command.ExecuteNonQueryAsync();
        command.CommandText = example;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(DateOnly, long, long)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetFieldValue<DateOnly>(0), reader.GetInt64(1), reader.GetInt64(2)));

        Assert.Equal([(new DateOnly(2026, 11, 23), 3L, 2L), (new DateOnly(2026, 11, 24), 1L, 1L)], rows);
    }

    [Fact]
    public async Task Papers_per_day_and_category_count_distinct_papers_and_enrichments_take_the_ingested_category()
    {
        await using var rig = await ArchiveRig.CreateAsync();
        await rig.AppendAsync(Events.Ingested("2401.00001", "cs.CL", Monday), Events.Ingested("2401.00002", "cs.CL", Monday),
            Events.Ingested("2401.00003", "cs.LG", Monday), Events.Ingested("2401.00001", "cs.CL", Monday.AddHours(2), hash: "h2"),
            Events.Ingested("2401.00004", "cs.LG", Monday.AddDays(1)));
        // Enriched: tagged cs.LG by the model, but counted under the category it was ingested with.
        await rig.AppendAsync(Events.Enriched("2401.00001", Monday.AddMinutes(1)), Events.Enriched("2401.00003", Monday.AddDays(1)));

        var rows = await new ReadyQueries(rig.Queries).PapersPerDayAsync(From, To, CancellationToken.None);

        Assert.Equal(
        [
            new PapersPerDay(new DateOnly(2026, 11, 23), "cs.CL", 2, 1),
            new PapersPerDay(new DateOnly(2026, 11, 23), "cs.LG", 1, 0),
            new PapersPerDay(new DateOnly(2026, 11, 24), "cs.LG", 1, 1),
        ], rows);
    }

    [Fact]
    public async Task Enrichment_lag_runs_from_first_ingestion_to_first_enrichment_of_the_same_content()
    {
        await using var rig = await ArchiveRig.CreateAsync();
        await rig.AppendAsync(Enumerable.Range(0, 20).Select(i => Events.Ingested($"2401.{i:00000}", "cs.CL", Monday)).ToArray());
        // Lags of 1..20 minutes; a re-enrichment by a new model a day later is no lag.
        await rig.AppendAsync(Enumerable.Range(0, 20).Select(i => Events.Enriched($"2401.{i:00000}", Monday.AddMinutes(i + 1))).ToArray());
        await rig.AppendAsync(Events.Enriched("2401.00000", Monday.AddDays(1), model: "new-model"));

        var lag = Assert.Single(await new ReadyQueries(rig.Queries).EnrichmentLagAsync(From, To, CancellationToken.None));

        Assert.Equal((new DateOnly(2026, 11, 23), 20L), (lag.Day, lag.Papers));
        Assert.Equal(10.5 * 60, lag.P50Seconds, precision: 6);
        Assert.Equal((1 + 0.95 * 19) * 60, lag.P95Seconds, precision: 6);
    }

    [Fact]
    public async Task Searches_are_grouped_as_typed_and_zero_result_ones_listed_apart()
    {
        await using var rig = await ArchiveRig.CreateAsync();
        await rig.AppendAsync(Events.Searched("Diffusion", 12, Monday), Events.Searched(" diffusion ", 12, Monday), Events.Searched("diffusion", 12, Monday.AddDays(1)),
            Events.Searched("quantum llamas", 0, Monday), Events.Searched("Quantum Llamas", 0, Monday), Events.Searched("rlhf", 4, Monday), Events.Searched("zzz", 0, Monday.AddDays(-40)));

        var searches = await new ReadyQueries(rig.Queries).SearchesAsync(From, To, 2, CancellationToken.None);

        Assert.Equal([new SearchCount("diffusion", 3), new SearchCount("quantum llamas", 2)], searches.Top);
        Assert.Equal([new SearchCount("quantum llamas", 2)], searches.ZeroResults);
    }

    [Fact]
    public async Task Top_papers_per_day_by_views_and_by_upvotes_less_withdrawals()
    {
        await using var rig = await ArchiveRig.CreateAsync();
        await rig.AppendAsync(Events.Viewed("a", Monday), Events.Viewed("a", Monday), Events.Viewed("b", Monday), Events.Viewed("c", Monday.AddDays(1)));
        await rig.AppendAsync(new PaperUpvoted("b", "v-1", 1, Monday), new PaperUpvoted("b", "v-2", 2, Monday), new PaperUpvoted("a", "v-1", 1, Monday), new PaperUpvoted("c", "v-1", 1, Monday));
        await rig.AppendAsync(new PaperUpvoteWithdrawn("c", "v-1", 0, Monday));

        var top = await new ReadyQueries(rig.Queries).TopPapersAsync(From, To, 2, CancellationToken.None);

        Assert.Equal([new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 24)], top.Select(t => t.Day));
        Assert.Equal([new PaperCount("a", 2), new PaperCount("b", 1)], top[0].ByViews);
        Assert.Equal([new PaperCount("b", 2), new PaperCount("a", 1)], top[0].ByUpvotes);
        Assert.Equal([new PaperCount("c", 1)], top[1].ByViews);
        Assert.Empty(top[1].ByUpvotes);
    }

    [Fact]
    public async Task Digests_sent_per_day_and_unsubscribes_only_where_the_contracts_have_them()
    {
        await using var rig = await ArchiveRig.CreateAsync();
        var digest = Guid.NewGuid();
        await rig.AppendAsync((Guid.NewGuid(), new DigestSent(digest, Guid.NewGuid(), ["cs.CL"], ["a"], Monday)),
            (Guid.NewGuid(), new DigestSent(digest, Guid.NewGuid(), ["cs.CL"], ["a"], Monday)),
            (Guid.NewGuid(), new DigestSent(Guid.NewGuid(), Guid.NewGuid(), ["cs.CL"], ["a"], Monday)));

        var day = Assert.Single(await new ReadyQueries(rig.Queries).DigestsAsync(From, To, CancellationToken.None));

        Assert.Equal((new DateOnly(2026, 11, 23), 2L), (day.Day, day.DigestsSent));
        Assert.Equal(rig.Types.Find("Unsubscribed") is null ? null : 0L, day.Unsubscribes);
        Assert.Equal(rig.Types.Find("DigestFailed") is null ? null : 0L, day.DigestsFailed);
    }

    private sealed class FolderCleanup(DirectoryInfo folder) : IDisposable
    {
        public void Dispose()
        {
            if (folder.Exists)
                folder.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"```sql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();
}
