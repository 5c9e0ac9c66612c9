using Microsoft.EntityFrameworkCore;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Ingest.Data;

/// <summary>Ingest's own state: the papers and versions it has seen, and harvest cursors.</summary>
public sealed class IngestDbContext(DbContextOptions<IngestDbContext> options) : DbContext(options)
{
    public DbSet<SeenPaper> Papers => Set<SeenPaper>();
    public DbSet<ProcessedSubmission> Submissions => Set<ProcessedSubmission>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<SeenPaper>(e =>
        {
            e.ToTable("seen_papers");
            e.HasKey(p => p.PaperId);
            e.Property(p => p.PaperId).HasMaxLength(64);
            e.Property(p => p.ContentHash).HasMaxLength(64);
            e.Property(p => p.TitleKey).HasMaxLength(64);
            e.HasIndex(p => p.TitleKey);
        });
        model.Entity<ProcessedSubmission>(e =>
        {
            e.ToTable("processed_submissions");
            e.HasKey(s => s.SubmissionId);
        });
        model.AddOutbox();
    }
}

/// <summary>The latest version of a paper that Ingest has handed on.</summary>
public class SeenPaper
{
    public required string PaperId { get; set; }
    public int Version { get; set; }
    public required string ContentHash { get; set; }

    /// <summary>Hash of the normalised title: finds the same paper arriving without its arXiv id.</summary>
    public required string TitleKey { get; set; }

    public required string Source { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset LastChangedAt { get; set; }
}

/// <summary>A <c>SubmitPaper</c> command already handled (commands can be redelivered).</summary>
public class ProcessedSubmission
{
    public Guid SubmissionId { get; set; }
    public required string PaperId { get; set; }
    public DateTimeOffset ProcessedAt { get; set; }
}
