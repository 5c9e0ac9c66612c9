using DuckDB.NET.Data;
using Microsoft.EntityFrameworkCore;
using Papers.Analytics.Data;

namespace Papers.Analytics.Archive;

/// <summary>A day's files about to be compacted into one, and the new file written (pending) for them.</summary>
public sealed record CompactionPlan(string EventType, DateOnly Day, IReadOnlyList<string> Files, int Events, string Compacted);

/// <summary>
/// Merges the many small files of a closed day (one per writer batch) into one new file per type
/// and day, because a query's time over a year grows with the number of files it opens (measured:
/// see README, "For analysts"). No file is ever changed: the merged file is new, and the files it
/// replaces are deleted once it counts.
/// <list type="number">
/// <item>The day's committed files are read (by DuckDB) into a new file under a pending name,
/// flushed to disk; its row count must equal what the database says those files hold. For events
/// about one paper (views, upvotes), a second new file holds their count per paper
/// (<see cref="ArchiveLayout.PerPaper"/>): the top-papers query reads those instead of every event.</item>
/// <item>One transaction records the new file and marks each replaced file <c>CompactedInto</c> it,
/// only if none was marked already (another compaction won: this one is dropped). Readers take their
/// list from the database, so they switch from the old files to the new one at this commit.</item>
/// <item>The new files are renamed to their final names, then the old files and their rows are deleted.</item>
/// </list>
/// A crash before the commit leaves a pending file no one counts (<see cref="ArchiveRecovery"/>
/// deletes it later); after it, recovery renames the new file and deletes the old ones. Message ids
/// stay in the index: compaction moves events between files, it never archives or drops one.
/// </summary>
public sealed class ArchiveCompaction(IServiceScopeFactory scopes, ArchivedTypes types, ArchiveOptions options, TimeProvider clock, ILogger<ArchiveCompaction> logger)
{
    private readonly ArchiveLayout _layout = new(options.Root);

    /// <summary>Compacts up to <paramref name="maxDays"/> closed (type, day) partitions that hold more than one file; returns how many it compacted.</summary>
    public async Task<int> RunAsync(int maxDays, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // A day is closed CompactAfter after it ended; a late event after that adds a file, compacted on a later pass.
        var closedBefore = DateOnly.FromDateTime(now - options.CompactAfter);
        List<(string EventType, DateOnly Day)> days;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
            days = [.. (await db.Files.AsNoTracking()
                .Where(f => f.CompactedInto == null && f.Day < closedBefore)
                .GroupBy(f => new { f.EventType, f.Day })
                .Where(g => g.Count() > 1)
                .Select(g => g.Key)
                .OrderBy(k => k.Day).ThenBy(k => k.EventType)
                .Take(maxDays)
                .ToListAsync(cancellationToken)).Select(k => (k.EventType, k.Day))];
        }
        var compacted = 0;
        var today = DateOnly.FromDateTime(now);
        // A day past retention is being deleted (by this pass's retention, or another replica's): not merged.
        foreach (var (eventType, day) in days.Where(d => d.Day >= options.KeptFrom(d.EventType, today)))
        {
            if (await PrepareAsync(eventType, day, cancellationToken) is not { } plan)
                continue;
            if (await CommitAsync(plan, cancellationToken))
            {
                await FinishAsync(plan.Compacted, cancellationToken);
                compacted++;
            }
        }
        if (compacted > 0)
            logger.LogInformation("Archive compaction: {Days} day partition(s) compacted into one file each", compacted);
        return compacted;
    }

    /// <summary>Step 1: the day's files that count now, merged into a new pending file; null when there is nothing to merge.</summary>
    internal async Task<CompactionPlan?> PrepareAsync(string eventType, DateOnly day, CancellationToken cancellationToken)
    {
        List<ArchiveFile> files;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
            files = await db.Files.AsNoTracking().Where(f => f.EventType == eventType && f.Day == day && f.CompactedInto == null).OrderBy(f => f.Path).ToListAsync(cancellationToken);
        }
        if (files.Count < 2)
            return null;
        var onDisk = files.Select(f => _layout.Locate(f.Path) ?? throw new InvalidOperationException($"The archive's file {f.Path} is committed but not on the disk.")).ToList();
        var events = files.Sum(f => f.Events);
        var compacted = ArchiveLayout.NewCompacted(eventType, day, clock.GetUtcNow().UtcDateTime);
        var pending = _layout.FullPath(compacted) + ArchiveLayout.Pending;
        var perPaper = types.Find(eventType)?.CountsPerPaper == true ? _layout.FullPath(ArchiveLayout.PerPaper(compacted)) + ArchiveLayout.Pending : null;
        try
        {
            var written = await MergeAsync(onDisk, pending, perPaper, cancellationToken);
            if (written != events)
                throw new InvalidOperationException($"Compacting {eventType} of {day:yyyy-MM-dd}: its {files.Count} files hold {written} events, the database says {events}; nothing was changed.");
        }
        catch
        {
            DeletePending(compacted);
            throw;
        }
        return new CompactionPlan(eventType, day, [.. files.Select(f => f.Path)], events, compacted);
    }

    /// <summary>Step 2: the swap, in one transaction; false (and the new file deleted) when another compaction replaced one of the files first.</summary>
    internal async Task<bool> CommitAsync(CompactionPlan plan, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
        var committed = await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var marked = await db.Files
                .Where(f => plan.Files.Contains(f.Path) && f.CompactedInto == null)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.CompactedInto, plan.Compacted), ct);
            if (marked != plan.Files.Count)
                return false;
            db.Files.Add(new ArchiveFile { Path = plan.Compacted, EventType = plan.EventType, Day = plan.Day, Events = plan.Events, WrittenAt = clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return true;
        }, cancellationToken);
        if (!committed)
        {
            DeletePending(plan.Compacted);
            logger.LogInformation("Archive compaction of {EventType} {Day:yyyy-MM-dd} dropped: another compaction replaced its files first", plan.EventType, plan.Day);
        }
        return committed;
    }

    /// <summary>
    /// Step 3, for a committed compaction (also run by <see cref="ArchiveRecovery"/> after a crash):
    /// the new file under its final name first (a reader listing the folder then sees the old files
    /// and the new one only for the few milliseconds until the deletes), then the old files go.
    /// </summary>
    internal async Task FinishAsync(string compacted, CancellationToken cancellationToken)
    {
        foreach (var final in new[] { ArchiveLayout.PerPaper(compacted), compacted }.Select(_layout.FullPath))
        {
            if (File.Exists(final + ArchiveLayout.Pending))
                ParquetParts.Publish(final + ArchiveLayout.Pending, final);
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
        var replaced = await db.Files.AsNoTracking().Where(f => f.CompactedInto == compacted).Select(f => f.Path).ToListAsync(cancellationToken);
        // A file compacted before (a day compacted again after late events) has per-paper counts too.
        foreach (var path in replaced.SelectMany(p => ArchiveLayout.IsCompacted(p) ? new[] { p, ArchiveLayout.PerPaper(p) } : [p]).Select(_layout.FullPath))
        {
            File.Delete(path);
            File.Delete(path + ArchiveLayout.Pending);
        }
        await db.Files.Where(f => f.CompactedInto == compacted).ExecuteDeleteAsync(cancellationToken);
    }

    private void DeletePending(string compacted)
    {
        File.Delete(_layout.FullPath(compacted) + ArchiveLayout.Pending);
        var perPaper = _layout.FullPath(ArchiveLayout.PerPaper(compacted)) + ArchiveLayout.Pending;
        if (Directory.Exists(Path.GetDirectoryName(perPaper)))
            File.Delete(perPaper);
    }

    /// <summary>
    /// The rows of <paramref name="files"/> in one new Parquet file, in event-time order, and their
    /// count per paper in another when <paramref name="perPaper"/> is given, each flushed to disk;
    /// returns the rows written.
    /// </summary>
    private static async Task<long> MergeAsync(IReadOnlyList<string> files, string path, string? perPaper, CancellationToken cancellationToken)
    {
        static string Quote(string text) => "'" + text.Replace('\\', '/').Replace("'", "''") + "'";
        await using (var connection = new DuckDBConnection("Data Source=:memory:"))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            // No hive_partitioning: the day is the folder's, not a column of the file.
            command.CommandText = $"""
                COPY (SELECT * FROM read_parquet([{string.Join(", ", files.Select(Quote))}], union_by_name = true) ORDER BY {ArchiveSchema.EventTimeColumn}, {ArchiveSchema.MessageIdColumn})
                TO {Quote(path)} (FORMAT parquet, COMPRESSION snappy)
                """;
            await command.ExecuteNonQueryAsync(cancellationToken);
            command.CommandText = $"SELECT count(*) FROM read_parquet({Quote(path)})";
            var written = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            FlushToDisk(path);
            if (perPaper is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(perPaper)!);
                command.CommandText = $"""
                    COPY (SELECT {ArchiveSchema.PaperIdColumn}, count(*) AS events FROM read_parquet({Quote(path)}) GROUP BY ALL ORDER BY ALL)
                    TO {Quote(perPaper)} (FORMAT parquet, COMPRESSION snappy)
                    """;
                await command.ExecuteNonQueryAsync(cancellationToken);
                FlushToDisk(perPaper);
            }
            return written;
        }
    }

    /// <summary>On the disk, not just in the page cache, before the swap makes it the only copy.</summary>
    private static void FlushToDisk(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Flush(flushToDisk: true);
    }
}
