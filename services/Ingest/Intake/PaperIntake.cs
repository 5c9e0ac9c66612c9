using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Papers.Contracts;
using Papers.Domain;
using Papers.Ingest.Data;
using Papers.Ingest.Parsing;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Telemetry;

namespace Papers.Ingest.Intake;

/// <summary>What one intake did with the papers it was given.</summary>
public record IntakeSummary(int New, int Revised, int Unchanged, IReadOnlyList<string> PaperIds)
{
    public int Total => New + Revised + Unchanged;
}

/// <summary>
/// The one way papers enter the platform: gives each a stable id, skips what is already known
/// with the same content, and records <see cref="PaperIngested"/> for new papers and new
/// versions in the same transaction as Ingest's own state (published by the outbox relay).
/// </summary>
public sealed class PaperIntake(IngestDbContext db, TimeProvider clock)
{
    private static readonly Counter<long> Ingested = PapersTelemetry.Meter.CreateCounter<long>("papers.ingest.papers", description: "Papers handed on by Ingest, by source and outcome");

    /// <summary>Outcomes staged but not yet committed: counted only once they are.</summary>
    private readonly List<(string Source, string Outcome)> _uncounted = [];

    /// <summary>Tries of one intake that lost a race with a concurrent one.</summary>
    private const int ConflictAttempts = 5;

    /// <summary>
    /// Takes the papers in and commits them with their events, in a transaction of their own.
    /// Another intake (a replica, a command, a harvest) may take in one of the same papers at the
    /// same moment; then the later commit fails (the paper's key, or its revision) and this one
    /// reads the papers again and stages them anew: a paper inserted meanwhile is known now (no
    /// second "new" event), and a revision made meanwhile is the base of the next version.
    /// </summary>
    public async Task<IntakeSummary> IngestAsync(IReadOnlyList<SourcePaper> papers, CancellationToken cancellationToken)
    {
        if (db.ChangeTracker.HasChanges())
            throw new InvalidOperationException("IngestAsync commits the papers in a transaction of their own, and this context has other changes pending: " +
                "stage the papers with StageAsync and save them together with those changes instead.");
        for (var attempt = 1; ; attempt++)
        {
            var summary = await StageAsync(papers, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                Committed();
                return summary;
            }
            catch (DbUpdateException ex) when (ex.IsConflict() && attempt < ConflictAttempts)
            {
                db.ChangeTracker.Clear();
                Discarded();
            }
        }
    }

    /// <summary>The staged papers were committed: counts them in <c>papers.ingest.papers</c>.</summary>
    public void Committed()
    {
        foreach (var (source, outcome) in _uncounted)
            Ingested.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", outcome));
        _uncounted.Clear();
    }

    /// <summary>The staged papers were dropped without being committed.</summary>
    public void Discarded() => _uncounted.Clear();

    /// <summary>
    /// Adds the papers' rows and events to the context without saving, for a caller that commits
    /// them together with its own state (a harvest's cursor) in one <c>SaveChanges</c> and then
    /// calls <see cref="Committed"/> (or <see cref="Discarded"/>).
    /// </summary>
    public async Task<IntakeSummary> StageAsync(IReadOnlyList<SourcePaper> papers, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var identities = papers.Select(Identity).ToList();
        var candidates = identities.SelectMany(i => i.LegacyId is null ? [i.Id] : new[] { i.Id, i.LegacyId }).Distinct().ToList();
        var known = await db.Papers.Where(p => candidates.Contains(p.PaperId)).ToDictionaryAsync(p => p.PaperId, cancellationToken);
        var ids = identities.Select(i => Resolve(i, known)).ToList();
        int added = 0, revised = 0, unchanged = 0;

        for (var i = 0; i < papers.Count; i++)
        {
            var paper = papers[i];
            if (paper.Deleted)
            {
                unchanged++;
                continue;
            }
            var id = ids[i];
            var hash = PaperIds.ContentHash(paper.Title, paper.Abstract, paper.Authors);
            if (known.TryGetValue(id, out var seen))
            {
                if (seen.ContentHash == hash && seen.Version >= paper.LatestVersion)
                {
                    unchanged++;
                    Count(paper.Source, "unchanged");
                    continue;
                }
                seen.Version = Math.Max(seen.Version + 1, paper.LatestVersion);
                seen.ContentHash = hash;
                seen.LastChangedAt = now;
                revised++;
                Count(paper.Source, "revised");
            }
            else
            {
                seen = new SeenPaper
                {
                    PaperId = id,
                    Version = paper.LatestVersion,
                    ContentHash = hash,
                    TitleKey = PaperIds.TitleKey(paper.Title),
                    IdentityId = identities[i].LegacyId is null ? null : id,
                    Source = paper.Source,
                    FirstSeenAt = now,
                    LastChangedAt = now,
                };
                db.Papers.Add(seen);
                known[id] = seen;
                added++;
                Count(paper.Source, "new");
            }
            db.AddToOutbox(ToEvent(paper, seen, now), clock);
        }

        return new IntakeSummary(added, revised, unchanged, ids);
    }

    private static PaperIngested ToEvent(SourcePaper p, SeenPaper seen, DateTimeOffset now) => new(
        seen.PaperId, seen.Version, p.Title, p.Abstract, p.Authors, p.PrimaryCategory ?? p.Categories.FirstOrDefault(), p.Categories,
        p.PublishedOn, p.ListedOn ?? DateOnly.FromDateTime(now.UtcDateTime), p.Source, p.SourceUpvotes,
        p.Comments, p.JournalRef, p.Doi, p.License, p.AbsUrl, p.PdfUrl, p.SubmittedBy, seen.ContentHash, now, p.Dois ?? []);

    private void Count(string source, string outcome) => _uncounted.Add((source, outcome));

    /// <summary>A paper's id by the current rule and, for a paper without arXiv id, the title id
    /// the rule before gave it.</summary>
    private sealed record PaperIdentity(string Id, string? LegacyId);

    private static PaperIdentity Identity(SourcePaper p)
    {
        if (!string.IsNullOrWhiteSpace(p.ArxivId))
            return new PaperIdentity(PaperIds.FromSource(p.ArxivId, p.Title), null);
        var year = p.PublishedOn?.Year ?? p.Versions.FirstOrDefault(v => v.Number == 1)?.SubmittedAt?.Year;
        var key = PaperIds.IdentityKey(p.Dois, p.ExternalIds, p.Title, p.Authors.FirstOrDefault()?.Name, year, p.Abstract);
        return new PaperIdentity(PaperIds.FromIdentity(key), PaperIds.FromSource(null, p.Title));
    }

    /// <summary>
    /// The id to use: the identity's own when Ingest knows it; else the title id, when that row was
    /// given to this same paper, or was given before identity keys existed and is unclaimed (the
    /// paper claims it, so ids already published stay valid); else, for a paper Ingest has not seen,
    /// the identity's own. A paper that only shares its title with a known one never takes its id.
    /// </summary>
    private static string Resolve(PaperIdentity identity, Dictionary<string, SeenPaper> known)
    {
        if (identity.LegacyId is null || known.ContainsKey(identity.Id))
            return identity.Id;
        if (known.TryGetValue(identity.LegacyId, out var titled) && (titled.IdentityId ?? identity.Id) == identity.Id)
        {
            titled.IdentityId = identity.Id;
            return identity.LegacyId;
        }

        return identity.Id;
    }
}
