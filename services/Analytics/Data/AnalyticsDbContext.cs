using Microsoft.EntityFrameworkCore;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Leases;

namespace Papers.Analytics.Data;

/// <summary>
/// What the archive has accepted: every archived message id (the de-duplication index) and every
/// Parquet file committed. A file and the ids in it are committed in one transaction, so after a
/// crash the database says which written files count (<see cref="Archive.ArchiveRecovery"/>), and
/// readers take the files that count from here (<see cref="Queries.ArchiveQueries"/>).
/// </summary>
public sealed class AnalyticsDbContext(DbContextOptions<AnalyticsDbContext> options) : DbContext(options)
{
    public DbSet<ArchivedMessage> Messages => Set<ArchivedMessage>();
    public DbSet<ArchiveFile> Files => Set<ArchiveFile>();
    public DbSet<PaperVersion> PaperVersions => Set<PaperVersion>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ArchivedMessage>(e =>
        {
            e.ToTable("archived_messages");
            e.HasKey(m => m.MessageId);
            e.Property(m => m.EventType).HasMaxLength(200);
            // Retention deletes a type's days.
            e.HasIndex(m => new { m.EventType, m.Day });
        });
        model.Entity<ArchiveFile>(e =>
        {
            e.ToTable("archive_files");
            e.HasKey(f => f.Path);
            e.Property(f => f.Path).HasMaxLength(400);
            e.Property(f => f.EventType).HasMaxLength(200);
            e.Property(f => f.CompactedInto).HasMaxLength(400);
            e.HasIndex(f => new { f.EventType, f.Day });
        });
        model.Entity<PaperVersion>(e =>
        {
            e.ToTable("paper_versions");
            e.HasKey(v => new { v.PaperId, v.ContentHash });
            e.Property(v => v.PaperId).HasMaxLength(200);
            e.Property(v => v.ContentHash).HasMaxLength(200);
        });
        model.AddLeases();
    }
}

/// <summary>One message the archive holds (its <c>messageId</c>): a redelivery or a repeated publish of it is dropped.</summary>
public class ArchivedMessage
{
    public Guid MessageId { get; set; }

    public required string EventType { get; set; }

    /// <summary>The UTC day of the event's own time: its partition.</summary>
    public DateOnly Day { get; set; }
}

/// <summary>A committed Parquet file of the archive, by its path relative to the archive's root.</summary>
public class ArchiveFile
{
    public required string Path { get; set; }

    public required string EventType { get; set; }

    public DateOnly Day { get; set; }

    public int Events { get; set; }

    /// <summary>UTC.</summary>
    public DateTime WrittenAt { get; set; }

    /// <summary>
    /// The file its events were compacted into (<see cref="Archive.ArchiveCompaction"/>), committed
    /// in the same transaction: from then on this one no longer counts, and is deleted.
    /// </summary>
    public string? CompactedInto { get; set; }
}

/// <summary>
/// When a paper version (its content hash) was first ingested and first enriched, as archived:
/// the enrichment-lag metric is recorded once, by whichever of the two events completes the pair
/// (<see cref="Archive.EnrichmentLags"/>).
/// </summary>
public class PaperVersion
{
    public required string PaperId { get; set; }

    public required string ContentHash { get; set; }

    /// <summary>UTC.</summary>
    public DateTime? IngestedAt { get; set; }

    /// <summary>UTC.</summary>
    public DateTime? EnrichedAt { get; set; }
}
