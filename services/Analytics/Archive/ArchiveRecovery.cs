using Microsoft.EntityFrameworkCore;
using Papers.Analytics.Data;

namespace Papers.Analytics.Archive;

/// <summary>
/// Finishes what a crash interrupted: a pending file whose commit happened is renamed to its final
/// name; one whose commit did not happen is deleted once it is older than any append can take
/// (its messages were never acknowledged, so they were redelivered and archived again, or it was a
/// compaction's new file whose swap never happened); and a compaction committed but not finished
/// gets its old files deleted (<see cref="ArchiveCompaction.FinishAsync"/>).
/// </summary>
public sealed class ArchiveRecovery(IServiceScopeFactory scopes, ArchiveCompaction compaction, ArchiveOptions options, TimeProvider clock, ILogger<ArchiveRecovery> logger)
{
    /// <summary>An uncommitted pending file younger than this may belong to an append in progress (on any replica).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    public async Task<(int Published, int Deleted)> RunAsync(CancellationToken cancellationToken)
    {
        var layout = new ArchiveLayout(options.Root);
        if (!Directory.Exists(layout.Root))
            return (0, 0);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
        var result = await PublishOrDeletePendingAsync(db, layout, cancellationToken);
        var unfinished = await db.Files.AsNoTracking().Where(f => f.CompactedInto != null).Select(f => f.CompactedInto!).Distinct().ToListAsync(cancellationToken);
        foreach (var compacted in unfinished)
            await compaction.FinishAsync(compacted, cancellationToken);
        if (unfinished.Count > 0)
            logger.LogInformation("Archive recovery: {Compactions} committed compaction(s) finished", unfinished.Count);
        return result;
    }

    private async Task<(int Published, int Deleted)> PublishOrDeletePendingAsync(AnalyticsDbContext db, ArchiveLayout layout, CancellationToken cancellationToken)
    {
        // A per-paper file counts when the compacted file it belongs to does.
        var pending = Directory.EnumerateFiles(layout.Root, "*" + ArchiveLayout.Pending, SearchOption.AllDirectories)
            .Select(p => (Pending: p, Relative: layout.Relative(p[..^ArchiveLayout.Pending.Length])))
            .Select(p => (p.Pending, p.Relative, Counted: ArchiveLayout.OfPerPaper(p.Relative) ?? p.Relative))
            .ToList();
        if (pending.Count == 0)
            return (0, 0);
        var names = pending.Select(p => p.Counted).Distinct().ToList();
        var committed = (await db.Files.AsNoTracking().Where(f => names.Contains(f.Path)).Select(f => f.Path).ToListAsync(cancellationToken)).ToHashSet();
        int published = 0, deleted = 0;
        foreach (var (path, relative, counted) in pending)
        {
            if (committed.Contains(counted))
            {
                ParquetParts.Publish(path, layout.FullPath(relative));
                published++;
            }
            else if (clock.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(path) > Grace)
            {
                File.Delete(path);
                deleted++;
            }
        }
        if (published + deleted > 0)
            logger.LogInformation("Archive recovery: {Published} committed file(s) published, {Deleted} uncommitted file(s) deleted", published, deleted);
        return (published, deleted);
    }
}
