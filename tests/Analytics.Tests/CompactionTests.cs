using System.Text.Json;
using DuckDB.NET.Data;
using Microsoft.EntityFrameworkCore;
using Papers.Analytics.Archive;
using Papers.Analytics.Queries;
using Papers.Contracts;

namespace Papers.Analytics.Tests;

/// <summary>
/// Compaction of a closed day's files into one: the same answers before and after, from the
/// service's queries and from a glob of the folder, whatever step a crash interrupts.
/// </summary>
public sealed class CompactionTests
{
    private static readonly DateTimeOffset Now = ArchiveRig.Now;
    private static readonly DateTimeOffset Closed = Now.AddDays(-2);
    private static readonly DateOnly ClosedDay = DateOnly.FromDateTime(Closed.UtcDateTime);

    [Fact]
    public async Task A_closed_days_files_become_one_with_the_same_answers_and_a_late_event_is_compacted_on_the_next_pass()
    {
        await using var rig = await ArchiveRigWithDaysAsync();
        var before = await AnswersAsync(rig);

        var compacted = await rig.Compaction().RunAsync(100, CancellationToken.None);

        // The closed day's views and upvotes; not today's views (still open), nor the single withdrawal file.
        Assert.Equal(2, compacted);
        Assert.Equal(before, await AnswersAsync(rig));
        var file = Assert.Single(CommittedFiles(rig, "PaperViewed", ClosedDay));
        Assert.StartsWith("compact-", Path.GetFileName(file));
        Assert.True(File.Exists(rig.Layout.FullPath(ArchiveLayout.PerPaper(rig.Layout.Relative(file)))));
        Assert.Equal(2, CommittedFiles(rig, "PaperViewed", DateOnly.FromDateTime(Now.UtcDateTime)).Count);
        await using (var db = rig.Database.Context())
        {
            var rows = await db.Files.Where(f => f.EventType == "PaperViewed" && f.Day == ClosedDay).ToListAsync();
            Assert.Equal((60, null), (Assert.Single(rows).Events, rows[0].CompactedInto));
            Assert.Equal(0, await db.Files.CountAsync(f => f.CompactedInto != null));
            // The message-id index is untouched: the events moved between files, none was archived again.
            Assert.Equal(60 + 9 + 1 + 4, await db.Messages.CountAsync());
        }
        Assert.Equal(0, await rig.Compaction().RunAsync(100, CancellationToken.None));

        // A late view of the compacted day: a second file, counted, then merged by the next pass.
        await rig.AppendAsync(Events.Viewed("2401.00009", Closed.AddHours(1)));
        Assert.Equal(61L, await rig.ScalarAsync($"SELECT count(*) FROM PaperViewed WHERE day = DATE '{ClosedDay:yyyy-MM-dd}'"));
        Assert.Equal(1, await rig.Compaction().RunAsync(100, CancellationToken.None));
        Assert.Single(CommittedFiles(rig, "PaperViewed", ClosedDay));
        Assert.Equal(61L, await rig.ScalarAsync($"SELECT count(*) FROM PaperViewed WHERE day = DATE '{ClosedDay:yyyy-MM-dd}'"));
        Assert.Equal(before.Views + 1, await GlobCountAsync(rig, "PaperViewed"));
        var top = (await new ReadyQueries(rig.Queries).TopPapersAsync(ClosedDay, ClosedDay, 10, CancellationToken.None)).Single();
        Assert.Equal(new PaperCount("2401.00009", 1), top.ByViews.Single(p => p.PaperId == "2401.00009"));
    }

    [Fact]
    public async Task A_crash_before_the_swap_leaves_the_old_files_counting_and_recovery_deletes_the_new_one()
    {
        await using var rig = await ArchiveRigWithDaysAsync();
        var before = await AnswersAsync(rig);
        var oldFiles = CommittedFiles(rig, "PaperViewed", ClosedDay);

        // The process dies after writing the merged file, before the transaction.
        var plan = await rig.Compaction().PrepareAsync("PaperViewed", ClosedDay, CancellationToken.None);
        var pending = rig.Layout.FullPath(plan!.Compacted) + ArchiveLayout.Pending;
        Assert.True(File.Exists(pending));
        Assert.Equal(before, await AnswersAsync(rig));
        Assert.Equal(before.Views, await GlobCountAsync(rig, "PaperViewed"));

        File.SetLastWriteTimeUtc(pending, Now.UtcDateTime - ArchiveRecovery.Grace - TimeSpan.FromMinutes(1));
        File.SetLastWriteTimeUtc(rig.Layout.FullPath(ArchiveLayout.PerPaper(plan.Compacted)) + ArchiveLayout.Pending, Now.UtcDateTime - ArchiveRecovery.Grace - TimeSpan.FromMinutes(1));
        var (published, deleted) = await rig.Recovery().RunAsync(CancellationToken.None);

        Assert.Equal((0, 2), (published, deleted));
        Assert.False(File.Exists(pending));
        Assert.Equal(oldFiles, CommittedFiles(rig, "PaperViewed", ClosedDay));
        Assert.Equal(before, await AnswersAsync(rig));
        // And the next pass compacts the day after all.
        Assert.Equal(2, await rig.Compaction().RunAsync(100, CancellationToken.None));
        Assert.Equal(before, await AnswersAsync(rig));
    }

    [Fact]
    public async Task A_crash_after_the_swap_counts_every_event_once_and_recovery_finishes_the_swap()
    {
        await using var rig = await ArchiveRigWithDaysAsync();
        var before = await AnswersAsync(rig);
        var oldFiles = CommittedFiles(rig, "PaperViewed", ClosedDay);

        // The process dies right after the commit: the merged file still under its pending name, the old files still there.
        var compaction = rig.Compaction();
        var plan = await compaction.PrepareAsync("PaperViewed", ClosedDay, CancellationToken.None);
        Assert.True(await compaction.CommitAsync(plan!, CancellationToken.None));

        Assert.Equal(before, await AnswersAsync(rig));
        Assert.Equal(before.Views, await GlobCountAsync(rig, "PaperViewed"));
        Assert.All(oldFiles, f => Assert.True(File.Exists(f)));

        await rig.Recovery().RunAsync(CancellationToken.None);

        Assert.All(oldFiles, f => Assert.False(File.Exists(f)));
        Assert.Equal([rig.Layout.FullPath(plan!.Compacted)], CommittedFiles(rig, "PaperViewed", ClosedDay));
        Assert.Equal(before, await AnswersAsync(rig));
        Assert.Equal(before.Views, await GlobCountAsync(rig, "PaperViewed"));
        await using var db = rig.Database.Context();
        Assert.Equal([plan.Compacted], await db.Files.Where(f => f.EventType == "PaperViewed" && f.Day == ClosedDay).Select(f => f.Path).ToListAsync());
    }

    [Fact]
    public async Task Of_two_compactions_of_one_day_only_the_first_to_commit_swaps_and_the_other_leaves_nothing()
    {
        await using var rig = await ArchiveRigWithDaysAsync();
        var before = await AnswersAsync(rig);
        var compaction = rig.Compaction();

        var first = await compaction.PrepareAsync("PaperViewed", ClosedDay, CancellationToken.None);
        var second = await compaction.PrepareAsync("PaperViewed", ClosedDay, CancellationToken.None);
        Assert.True(await compaction.CommitAsync(first!, CancellationToken.None));
        Assert.False(await compaction.CommitAsync(second!, CancellationToken.None));
        await compaction.FinishAsync(first!.Compacted, CancellationToken.None);

        Assert.False(File.Exists(rig.Layout.FullPath(second!.Compacted) + ArchiveLayout.Pending));
        Assert.False(File.Exists(rig.Layout.FullPath(ArchiveLayout.PerPaper(second.Compacted)) + ArchiveLayout.Pending));
        Assert.Equal([rig.Layout.FullPath(first.Compacted)], CommittedFiles(rig, "PaperViewed", ClosedDay));
        Assert.Equal(before, await AnswersAsync(rig));
        Assert.Equal(before.Views, await GlobCountAsync(rig, "PaperViewed"));
    }

    [Fact]
    public async Task A_day_past_retention_is_left_to_retention_not_merged()
    {
        await using var rig = await ArchiveRigWithDaysAsync();
        rig.Options.RetentionDays = 3;
        rig.Clock.Advance(TimeSpan.FromDays(2));

        // The closed day is now 4 days old: past retention, so only today's (now closed) views are merged.
        Assert.Equal(1, await rig.Compaction().RunAsync(100, CancellationToken.None));
        Assert.Equal(3, CommittedFiles(rig, "PaperViewed", ClosedDay).Count);
    }

    private sealed record Answers(long Views, long DistinctIds, string TopPapers);

    /// <summary>Views of a closed day in three files, upvotes in two, one withdrawal, and today's views in two files.</summary>
    private static async Task<ArchiveRig> ArchiveRigWithDaysAsync()
    {
        var rig = await ArchiveRig.CreateAsync(o => o.CompactAfter = TimeSpan.FromHours(1));
        for (var batch = 0; batch < 3; batch++)
            await rig.AppendAsync([.. Enumerable.Range(0, 20).Select(i => Events.Viewed($"2401.0000{(i * (batch + 1)) % 7}", Closed.AddMinutes(batch * 20 + i)))]);
        for (var batch = 0; batch < 2; batch++)
            await rig.AppendAsync([.. Enumerable.Range(0, 2 + batch * 5).Select(i => new PaperUpvoted($"2401.0000{i % 3}", $"v-{batch}-{i}", 1, Closed.AddMinutes(i)))]);
        await rig.AppendAsync(new PaperUpvoteWithdrawn("2401.00001", "v-1-1", 0, Closed.AddHours(2)));
        for (var batch = 0; batch < 2; batch++)
            await rig.AppendAsync(Events.Viewed("2401.00001", Now.AddMinutes(-batch)), Events.Viewed("2401.00002", Now.AddMinutes(-batch)));
        return rig;
    }

    private static async Task<Answers> AnswersAsync(ArchiveRig rig) => new(
        (long)(await rig.ScalarAsync("SELECT count(*) FROM PaperViewed"))!,
        (long)(await rig.ScalarAsync("SELECT count(DISTINCT messageId) FROM PaperViewed"))!,
        JsonSerializer.Serialize(await new ReadyQueries(rig.Queries).TopPapersAsync(ClosedDay.AddDays(-1), DateOnly.FromDateTime(Now.UtcDateTime), 10, CancellationToken.None)));

    /// <summary>The files a glob of the day's folder finds (what an analyst's <c>read_parquet</c> reads).</summary>
    private static List<string> CommittedFiles(ArchiveRig rig, string eventType, DateOnly day) =>
        [.. Directory.EnumerateFiles(Path.Combine(rig.Layout.TypeFolder(eventType), ArchiveLayout.DayPartition(day)), "*.parquet").Order(StringComparer.Ordinal)];

    /// <summary>Events as an analyst's glob of the folder counts them, with no help from the database.</summary>
    private static async Task<long> GlobCountAsync(ArchiveRig rig, string eventType)
    {
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM read_parquet('{rig.Layout.TypeFolder(eventType)}/day=*/*.parquet')";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
