using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Papers.Analytics.Data;
using Papers.Analytics.Telemetry;

namespace Papers.Analytics.Archive;

/// <summary>What one append did.</summary>
public sealed record AppendResult(int Archived, int Duplicates, int Expired, IReadOnlyList<string> Files);

/// <summary>
/// Appends a batch of one type's messages to the archive, exactly once per <c>messageId</c>, in
/// one transaction of the service's database:
/// <list type="number">
/// <item>drops events whose day is past the type's retention, and ids repeated in the batch;</item>
/// <item>claims the rest's ids in the index (<c>INSERT … ON CONFLICT DO NOTHING RETURNING</c>):
/// an id archived before, or being archived by another replica right now, is not returned (the
/// other replica's transaction holds it until it commits or rolls back);</item>
/// <item>writes the claimed events, one new file per day, under a pending name, flushed to disk;</item>
/// <item>records the files and commits, then renames the files to their final names.</item>
/// </list>
/// Only then does the caller acknowledge the messages. A crash before the commit leaves pending
/// files no one counts (deleted later) and unacknowledged messages (redelivered, and claimable
/// again since the claim rolled back); a crash after it leaves committed pending files that
/// <see cref="ArchiveRecovery"/> renames.
/// </summary>
public sealed class ArchiveAppender(AnalyticsDbContext db, ArchiveOptions options, TimeProvider clock, ILogger<ArchiveAppender> logger)
{
    /// <summary>Ids claimed per statement (SQLite's takes three parameters per id: well under its limit).</summary>
    private const int ClaimChunk = 5000;

    private readonly ArchiveLayout _layout = new(options.Root);

    public async Task<AppendResult> AppendAsync(ArchiveSchema schema, IReadOnlyList<ArchiveRow> rows, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var keptFrom = options.KeptFrom(schema.Name, today);
        var unique = rows.DistinctBy(r => r.MessageId).ToList();
        var candidates = unique.Where(r => r.Day >= keptFrom).ToList();
        var expired = unique.Count - candidates.Count;
        var (kept, files, redacted, lags) = candidates.Count == 0
            ? ([], [], 0, [])
            : await db.Database.CreateExecutionStrategy().ExecuteAsync(ct => WriteAsync(schema, candidates, ct), cancellationToken);

        // Committed: the files count from now on, whatever happens to this process.
        foreach (var relative in files)
            ParquetParts.Publish(_layout.FullPath(relative) + ArchiveLayout.Pending, _layout.FullPath(relative));
        var result = new AppendResult(kept.Count, rows.Count - expired - kept.Count, expired, files);
        AnalyticsMetrics.Dropped(schema.Name, result.Duplicates, result.Expired);
        if (kept.Count > 0)
            AnalyticsMetrics.Written(schema.Name, [.. kept.Select(r => r.Message)], redacted, lags);
        logger.LogDebug("Archived {Count} {EventType} in {Files} file(s); {Duplicates} duplicate(s), {Expired} past retention", kept.Count, schema.Name, files.Count, result.Duplicates, result.Expired);
        return result;
    }

    private async Task<(List<ArchiveRow> Kept, List<string> Files, int Redacted, List<double> Lags)> WriteAsync(ArchiveSchema schema, List<ArchiveRow> candidates, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = new HashSet<Guid>();
        foreach (var chunk in candidates.Chunk(ClaimChunk))
            claimed.UnionWith(await db.Database.SqlQuery<Guid>(Claim(schema.Name, chunk)).ToListAsync(cancellationToken));
        var kept = candidates.Where(r => claimed.Contains(r.MessageId)).ToList();
        if (kept.Count == 0)
            return (kept, [], 0, []);
        var lags = await EnrichmentLags.PairAsync(db, kept, cancellationToken);

        var now = clock.GetUtcNow().UtcDateTime;
        var files = new List<string>();
        var redacted = 0;
        try
        {
            foreach (var day in kept.GroupBy(r => r.Day))
            {
                var relative = ArchiveLayout.NewPart(schema.Name, day.Key, now);
                files.Add(relative);
                var dayRows = day.ToList();
                redacted += await ParquetParts.WriteAsync(schema, dayRows, _layout.FullPath(relative) + ArchiveLayout.Pending, cancellationToken);
                // A statement, not SaveChanges: no change tracking, no savepoint round trips, and
                // far less of EF Core to compile on the first batches (the bench's cold round).
                await db.Database.ExecuteSqlAsync(
                    $"INSERT INTO archive_files (\"Path\", \"EventType\", \"Day\", \"Events\", \"WrittenAt\") VALUES ({relative}, {schema.Name}, {day.Key}, {dayRows.Count}, {now})",
                    cancellationToken);
            }
        }
        catch
        {
            // Nothing was committed: these files will never count.
            foreach (var relative in files)
                File.Delete(_layout.FullPath(relative) + ArchiveLayout.Pending);
            throw;
        }
        // A failed commit leaves the pending files to ArchiveRecovery, which asks the database
        // whether they count: after a lost connection the commit may have happened after all.
        await transaction.CommitAsync(cancellationToken);
        return (kept, files, redacted, lags);
    }

    /// <summary>The ids of <paramref name="rows"/> inserted into the index now, that is those it did not hold.</summary>
    private FormattableString Claim(string eventType, ArchiveRow[] rows)
    {
        if (db.Database.IsNpgsql())
        {
            // Two array parameters: PostgreSQL parses and plans this in no time, whatever the batch's size.
            Guid[] ids = [.. rows.Select(r => r.MessageId)];
            DateOnly[] days = [.. rows.Select(r => r.Day)];
            return $"INSERT INTO archived_messages (\"MessageId\", \"EventType\", \"Day\") SELECT id, {eventType}, day FROM unnest({ids}, {days}) AS t(id, day) ON CONFLICT (\"MessageId\") DO NOTHING RETURNING \"MessageId\" AS \"Value\"";
        }
        var values = string.Join(", ", rows.Select((_, i) => $"({{{3 * i}}}, {{{3 * i + 1}}}, {{{3 * i + 2}}})"));
        var arguments = rows.SelectMany(r => new object[] { r.MessageId, eventType, r.Day }).ToArray();
        return FormattableStringFactory.Create(
            $"INSERT INTO archived_messages (\"MessageId\", \"EventType\", \"Day\") VALUES {values} ON CONFLICT (\"MessageId\") DO NOTHING RETURNING \"MessageId\" AS \"Value\"",
            arguments);
    }
}
