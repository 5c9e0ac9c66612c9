using Microsoft.EntityFrameworkCore;
using Papers.Analytics.Data;

namespace Papers.Analytics.Archive;

/// <summary>
/// Deletes every day partition older than its type's retention (<c>Analytics:RetentionDays</c>,
/// <c>Analytics:RetentionDaysByType</c>), with its per-paper counts, the ids and file names the database holds for those
/// days (and the paper versions of <see cref="EnrichmentLags"/> past PaperIngested's retention). The writer refuses events for such days, so a late event cannot bring one back.
/// Idempotent: replicas running it at the same time delete the same things.
/// </summary>
public sealed class ArchiveRetention(IServiceScopeFactory scopes, ArchivedTypes types, ArchiveOptions options, TimeProvider clock, ILogger<ArchiveRetention> logger)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var layout = new ArchiveLayout(options.Root);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
        var deleted = 0;
        foreach (var schema in types.All)
        {
            var keptFrom = options.KeptFrom(schema.Name, today);
            deleted += DeleteDays(layout.TypeFolder(schema.Name), keptFrom);
            DeleteDays(layout.PerPaperTypeFolder(schema.Name), keptFrom);
            await db.Files.Where(f => f.EventType == schema.Name && f.Day < keptFrom).ExecuteDeleteAsync(cancellationToken);
            await db.Messages.Where(m => m.EventType == schema.Name && m.Day < keptFrom).ExecuteDeleteAsync(cancellationToken);
        }
        // The versions paired for the enrichment-lag metric, as long as their ingestions are kept.
        var versionsFrom = options.KeptFrom(nameof(Contracts.PaperIngested), today).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        await db.PaperVersions.Where(v => (v.IngestedAt ?? v.EnrichedAt) < versionsFrom).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
            logger.LogInformation("Archive retention: deleted {Days} day partition(s) past retention", deleted);
        return deleted;
    }

    /// <summary>Deletes the day folders in <paramref name="folder"/> before <paramref name="keptFrom"/>; returns how many.</summary>
    private static int DeleteDays(string folder, DateOnly keptFrom)
    {
        if (!Directory.Exists(folder))
            return 0;
        var deleted = 0;
        foreach (var dayFolder in Directory.EnumerateDirectories(folder).ToList())
        {
            if (ArchiveLayout.DayOf(Path.GetFileName(dayFolder)) is { } day && day < keptFrom)
            {
                try
                {
                    Directory.Delete(dayFolder, recursive: true);
                    deleted++;
                }
                catch (DirectoryNotFoundException)
                {
                    // Another replica's retention got there first.
                }
            }
        }
        return deleted;
    }
}
