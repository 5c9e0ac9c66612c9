using Microsoft.EntityFrameworkCore;
using Papers.Ingest.Harvest;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Ingest.Data;

/// <summary>Ingest's own state: the papers and versions it has seen, and harvest cursors.</summary>
public sealed class IngestDbContext : DbContext
{
    public IngestDbContext(DbContextOptions<IngestDbContext> options)
        : base(options) => this.BumpRevisionsOnSave();

    public DbSet<SeenPaper> Papers => Set<SeenPaper>();
    public DbSet<ProcessedSubmission> Submissions => Set<ProcessedSubmission>();
    public DbSet<HarvestCursorRow> HarvestCursors => Set<HarvestCursorRow>();
    public DbSet<GapReportRow> GapReports => Set<GapReportRow>();
    public DbSet<QuarantinedRecord> Quarantine => Set<QuarantinedRecord>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<SeenPaper>(e =>
        {
            e.ToTable("seen_papers");
            e.HasKey(p => p.PaperId);
            e.Property(p => p.PaperId).HasMaxLength(64);
            e.Property(p => p.ContentHash).HasMaxLength(64);
            e.Property(p => p.TitleKey).HasMaxLength(64);
            e.Property(p => p.IdentityId).HasMaxLength(64);
            e.HasIndex(p => p.TitleKey);
            e.HasRevision();
        });
        model.Entity<ProcessedSubmission>(e =>
        {
            e.ToTable("processed_submissions");
            e.HasKey(s => s.SubmissionId);
        });
        model.Entity<HarvestCursorRow>(e =>
        {
            e.ToTable("harvest_cursors");
            e.HasKey(c => c.Source);
            e.Property(c => c.Source).HasMaxLength(200);
        });
        model.Entity<GapReportRow>(e =>
        {
            e.ToTable("harvest_gap_reports");
            e.HasKey(r => r.Source);
            e.Property(r => r.Source).HasMaxLength(200);
            e.Property(r => r.HighestId).HasMaxLength(64);
            e.Property(r => r.Gaps).HasJsonConversion();
        });
        model.Entity<QuarantinedRecord>(e =>
        {
            e.ToTable("quarantined_records");
            e.HasKey(r => new { r.Source, r.RecordId });
            e.Property(r => r.Source).HasMaxLength(200);
            e.Property(r => r.RecordId).HasMaxLength(500);
            e.HasIndex(r => r.QuarantinedAt);
        });
        model.AddOutbox();
        model.AddLeases();
    }
}

/// <summary>The latest version of a paper that Ingest has handed on.</summary>
public class SeenPaper : IRevisioned
{
    public required string PaperId { get; set; }
    public int Version { get; set; }
    public required string ContentHash { get; set; }

    /// <summary>Hash of the normalised title: finds the same paper arriving without its arXiv id.</summary>
    public required string TitleKey { get; set; }

    /// <summary>
    /// For a paper without arXiv id: the id its identity key gives (<c>PaperIds.FromIdentity</c> of
    /// a DOI, another catalogue's id, else title + first author + year). It equals
    /// <see cref="PaperId"/> for papers taken in since identity keys exist. A paper taken in before
    /// has its title id and null here; the first paper with that title to arrive claims it (so the
    /// id stays valid), and a second, different paper with the title then gets an id of its own
    /// instead of overwriting it. Null for arXiv papers.
    /// </summary>
    public string? IdentityId { get; set; }

    public required string Source { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset LastChangedAt { get; set; }

    /// <summary>
    /// Concurrency token: two intakes (replicas, a harvest and a submission, a command) may revise
    /// one paper at once; the later save fails and reads again, so no version is given twice.
    /// </summary>
    public int Revision { get; set; }
}

/// <summary>A <c>SubmitPaper</c> command already handled (commands can be redelivered).</summary>
public class ProcessedSubmission
{
    public Guid SubmissionId { get; set; }
    public required string PaperId { get; set; }
    public DateTimeOffset ProcessedAt { get; set; }
}

/// <summary>Where the harvest of one source stands (<see cref="HarvestCursor"/>), one row per cursor key.</summary>
public class HarvestCursorRow
{
    public required string Source { get; set; }
    public DateOnly? From { get; set; }
    public string? ResumptionToken { get; set; }
    public DateOnly? HarvestDate { get; set; }
    public DateOnly? LatestDatestamp { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public HarvestCursor ToCursor() => new(Source, From, ResumptionToken, HarvestDate, UpdatedAt, LatestDatestamp);

    public void CopyFrom(HarvestCursor cursor)
    {
        From = cursor.From;
        ResumptionToken = cursor.ResumptionToken;
        HarvestDate = cursor.HarvestDate;
        LatestDatestamp = cursor.LatestDatestamp;
        UpdatedAt = cursor.UpdatedAt;
    }
}

/// <summary>The latest gap check of one OAI-PMH harvest: the new-style ids it did not see.</summary>
public class GapReportRow
{
    /// <summary>The harvest's cursor key.</summary>
    public required string Source { get; set; }

    /// <summary>The <c>from</c> date of the harvest checked.</summary>
    public DateOnly? From { get; set; }

    public DateTimeOffset CheckedAt { get; set; }

    /// <summary>New submissions the check looked at.</summary>
    public int IdsChecked { get; set; }

    /// <summary>The highest id seen so far; the next check of the same source starts after it.</summary>
    public string? HighestId { get; set; }

    /// <summary>Whether the harvest was filtered by set, which leaves gaps by design.</summary>
    public bool Filtered { get; set; }

    public int Missing { get; set; }
    public List<IdGap> Gaps { get; set; } = [];
}

/// <summary>
/// A harvested record that could not be read. The rest of its page was ingested and the harvest
/// moved on; the record waits here, with why and as received, for an operator
/// (<c>GET /api/ingest/status</c>, the <c>quarantine</c> command). Failing again replaces the row;
/// once a harvest reads the record (fixed upstream), the row is removed.
/// </summary>
public class QuarantinedRecord
{
    /// <summary>The harvest (cursor key) the record came from.</summary>
    public required string Source { get; set; }

    /// <summary>The record's identifier as the source gave it (OAI: the header identifier).</summary>
    public required string RecordId { get; set; }

    public required string Reason { get; set; }

    /// <summary>The record as received (OAI: its XML).</summary>
    public string? Content { get; set; }

    /// <summary>When (UTC) it was last quarantined; a DateTime so that SQLite can sort by it.</summary>
    public DateTime QuarantinedAt { get; set; }
}
