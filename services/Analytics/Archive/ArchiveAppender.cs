using Microsoft.EntityFrameworkCore;
using Papers.Analytics.Data;
using Papers.Analytics.Telemetry;

namespace Papers.Analytics.Archive;

/// <summary>What one append did.</summary>
public sealed record AppendResult(int Archived, int Duplicates, int Expired, IReadOnlyList<string> Files);

/// <summary>
/// Appends a batch of one type's messages to the archive, exactly once per <c>messageId</c>:
/// <list type="number">
/// <item>drops ids already archived (the index in the service's database) or repeated in the batch,
/// and events whose day is past the type's retention;</item>
/// <item>writes the rest, one new file per day, under a pending name, flushed to the disk;</item>
/// <item>commits the ids and the files' names in one transaction (a replica that archived one of
/// these ids meanwhile makes the commit fail: the batch is retried and finds it archived);</item>
/// <item>renames the files to their final names.</item>
/// </list>
/// Only then does the caller acknowledge the messages. A crash before the commit leaves pending
/// files no one counts (deleted later) and unacknowledged messages (redelivered); a crash after it
/// leaves committed pending files that <see cref="ArchiveRecovery"/> renames.
/// </summary>
public sealed class ArchiveAppender(AnalyticsDbContext db, ArchiveOptions options, TimeProvider clock, ILogger<ArchiveAppender> logger)
{
    private readonly ArchiveLayout _layout = new(options.Root);

    public async Task<AppendResult> AppendAsync(ArchiveSchema schema, IReadOnlyList<ArchiveRow> rows, CancellationToken cancellationToken)
    {
        var unique = rows.DistinctBy(r => r.MessageId).ToList();
        var ids = unique.Select(r => r.MessageId).ToList();
        var known = (await db.Messages.AsNoTracking().Where(m => ids.Contains(m.MessageId)).Select(m => m.MessageId).ToListAsync(cancellationToken)).ToHashSet();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var keptFrom = options.KeptFrom(schema.Name, today);
        var fresh = unique.Where(r => !known.Contains(r.MessageId)).ToList();
        var kept = fresh.Where(r => r.Day >= keptFrom).ToList();
        var result = new AppendResult(kept.Count, rows.Count - unique.Count + known.Count, fresh.Count - kept.Count, []);
        AnalyticsMetrics.Dropped(schema.Name, result.Duplicates, result.Expired);
        if (kept.Count == 0)
            return result;

        var now = clock.GetUtcNow().UtcDateTime;
        var files = new List<(string Relative, string Pending)>();
        var redacted = 0;
        try
        {
            foreach (var day in kept.GroupBy(r => r.Day))
            {
                var relative = ArchiveLayout.NewPart(schema.Name, day.Key, now);
                var pending = _layout.FullPath(relative) + ArchiveLayout.Pending;
                files.Add((relative, pending));
                var dayRows = day.ToList();
                redacted += await ParquetParts.WriteAsync(schema, dayRows, pending, cancellationToken);
                db.Files.Add(new ArchiveFile { Path = relative, EventType = schema.Name, Day = day.Key, Events = dayRows.Count, WrittenAt = now });
                db.Messages.AddRange(dayRows.Select(r => new ArchivedMessage { MessageId = r.MessageId, EventType = schema.Name, Day = day.Key }));
            }
        }
        catch
        {
            // Nothing was committed: these files will never count.
            foreach (var (_, pending) in files)
                File.Delete(pending);
            db.ChangeTracker.Clear();
            throw;
        }
        // A failed commit leaves the pending files to ArchiveRecovery, which asks the database
        // whether they count: after a lost connection the commit may have happened after all.
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
        foreach (var (relative, pending) in files)
            ParquetParts.Publish(pending, _layout.FullPath(relative));
        AnalyticsMetrics.Written(schema.Name, [.. kept.Select(r => r.Message)], redacted);
        logger.LogDebug("Archived {Count} {EventType} in {Files} file(s); {Duplicates} duplicate(s), {Expired} past retention", kept.Count, schema.Name, files.Count, result.Duplicates, result.Expired);
        return result with { Files = [.. files.Select(f => f.Relative)] };
    }
}
