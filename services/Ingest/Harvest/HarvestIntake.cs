using Microsoft.EntityFrameworkCore;
using Papers.Ingest.Data;
using Papers.Ingest.Intake;
using Papers.Ingest.Parsing;
using Papers.ServiceDefaults.Data;

namespace Papers.Ingest.Harvest;

/// <summary>
/// The Ingest database as the harvesters see it: the cursor store (<c>harvest_cursors</c>) and the
/// sink, in one. A page handed on is only staged in <see cref="PaperIntake"/>; the cursor save that
/// follows commits the page's papers, their <c>PaperIngested</c> outbox rows and the cursor in one
/// <c>SaveChanges</c>, so the cursor can never get ahead of the papers, nor the papers of the cursor.
/// </summary>
public sealed class HarvestIntake(IngestDbContext db, PaperIntake intake, TimeProvider clock) : IHarvestCursorStore, IPaperSink
{
    /// <summary>Tries of one page's save that lost a race with a concurrent intake.</summary>
    private const int ConflictAttempts = 5;

    private readonly List<(IReadOnlyList<SourcePaper> Papers, IntakeSummary Summary)> _staged = [];
    private readonly List<(string Source, IReadOnlyList<RecordFailure> Failures, IReadOnlyList<string> Read)> _quarantined = [];

    /// <summary>What was committed since <see cref="StartTally"/>.</summary>
    public HarvestTally Tally { get; private set; } = new();

    public HarvestTally StartTally() => Tally = new HarvestTally();

    public async Task<HarvestCursor?> GetAsync(string source, CancellationToken ct) =>
        (await db.HarvestCursors.AsNoTracking().SingleOrDefaultAsync(c => c.Source == source, ct))?.ToCursor();

    public async Task HandOnAsync(IReadOnlyList<SourcePaper> papers, CancellationToken ct) =>
        _staged.Add((papers, await intake.StageAsync(papers, ct)));

    public async Task QuarantineAsync(string source, IReadOnlyList<RecordFailure> failures, IReadOnlyList<string> readRecordIds, CancellationToken ct)
    {
        await StageQuarantineAsync(source, failures, readRecordIds, ct);
        _quarantined.Add((source, failures, readRecordIds));
    }

    private async Task StageQuarantineAsync(string source, IReadOnlyList<RecordFailure> failures, IReadOnlyList<string> readRecordIds, CancellationToken ct)
    {
        if (readRecordIds.Count > 0)
            db.Quarantine.RemoveRange(await db.Quarantine.Where(r => r.Source == source && readRecordIds.Contains(r.RecordId)).ToListAsync(ct));

        foreach (var failure in failures.DistinctBy(f => f.RecordId))
        {
            var recordId = failure.RecordId.Length <= 500 ? failure.RecordId : failure.RecordId[..500];
            var row = await db.Quarantine.FindAsync([source, recordId], ct);
            if (row is null)
            {
                row = new QuarantinedRecord { Source = source, RecordId = recordId, Reason = failure.Reason };
                db.Quarantine.Add(row);
            }

            row.Reason = failure.Reason;
            row.Content = failure.Content;
            row.QuarantinedAt = clock.GetUtcNow().UtcDateTime;
        }
    }

    public async Task SaveAsync(HarvestCursor cursor, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var row = await db.HarvestCursors.FindAsync([cursor.Source], ct);
            if (row is null)
            {
                row = new HarvestCursorRow { Source = cursor.Source };
                db.HarvestCursors.Add(row);
            }
            row.CopyFrom(cursor);
            try
            {
                await db.SaveChangesAsync(ct);
                break;
            }
            catch (DbUpdateException ex) when (ex.IsConflict() && attempt < ConflictAttempts)
            {
                // Another intake (a submission on another replica, a command) took in a paper of
                // these pages meanwhile: read them again and stage them anew, then save again.
                db.ChangeTracker.Clear();
                intake.Discarded();
                for (var i = 0; i < _staged.Count; i++)
                    _staged[i] = (_staged[i].Papers, await intake.StageAsync(_staged[i].Papers, ct));
                foreach (var (source, failures, read) in _quarantined)
                    await StageQuarantineAsync(source, failures, read, ct);
            }
        }
        intake.Committed();
        foreach (var (papers, summary) in _staged)
            Tally.Add(papers, summary);
        foreach (var (_, failures, _) in _quarantined)
            Tally.Quarantined.AddRange(failures.Select(f => $"{f.RecordId}: {f.Reason} (quarantined)"));
        _staged.Clear();
        _quarantined.Clear();
        // Each page's known papers are looked up afresh; tracking every page of a long harvest
        // would only slow the next SaveChanges down.
        db.ChangeTracker.Clear();
        HarvestMetrics.Observe(cursor);
    }

    /// <summary>Drops what was staged for a page whose cursor was never saved (the run failed).</summary>
    public void DiscardStaged()
    {
        _staged.Clear();
        _quarantined.Clear();
        intake.Discarded();
        db.ChangeTracker.Clear();
    }
}

/// <summary>Running totals of the papers a harvest committed.</summary>
public sealed class HarvestTally
{
    public int Fetched { get; private set; }
    public int New { get; private set; }
    public int Revised { get; private set; }
    public int Unchanged { get; private set; }

    /// <summary>Deleted (withdrawn) records: skipped.</summary>
    public int Deleted { get; private set; }

    /// <summary>Records that could not be read and were quarantined: "id: reason (quarantined)".</summary>
    public List<string> Quarantined { get; } = [];

    /// <summary>New submissions (version 1) with their v1 date: what the gap check looks at.</summary>
    public List<(string Id, DateOnly? PublishedOn)> NewSubmissions { get; } = [];

    internal void Add(IReadOnlyList<SourcePaper> papers, IntakeSummary summary)
    {
        var deleted = papers.Count(p => p.Deleted);
        Fetched += papers.Count;
        New += summary.New;
        Revised += summary.Revised;
        Deleted += deleted;
        Unchanged += summary.Unchanged - deleted; // the intake counts deleted records as unchanged
        NewSubmissions.AddRange(papers.Where(p => p is { Deleted: false, ArxivId: not null, LatestVersion: 1 }).Select(p => (p.ArxivId!, p.PublishedOn)));
    }
}
