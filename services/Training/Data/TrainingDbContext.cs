using Microsoft.EntityFrameworkCore;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Training.Data;

/// <summary>Labelled examples collected from the events, the base set's cached vectors, and the model registry.</summary>
public sealed class TrainingDbContext : DbContext
{
    public TrainingDbContext(DbContextOptions<TrainingDbContext> options)
        : base(options) => this.BumpRevisionsOnSave();

    public DbSet<LabelledExample> Examples => Set<LabelledExample>();
    public DbSet<BaseVector> BaseVectors => Set<BaseVector>();
    public DbSet<RegisteredModel> Models => Set<RegisteredModel>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<LabelledExample>(e =>
        {
            e.ToTable("labelled_examples");
            e.HasKey(x => x.PaperId);
            e.Property(x => x.PaperId).HasMaxLength(64);
            e.Property(x => x.Categories).HasJsonConversion();
            e.Property(x => x.Embedding).HasVectorConversion();
            e.HasIndex(x => new { x.EmbeddingModel, x.ListedOn });
            e.HasRevision();
        });
        model.Entity<BaseVector>(e =>
        {
            e.ToTable("base_vectors");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasMaxLength(64);
            e.Property(x => x.Embedding).HasVectorConversion();
        });
        model.Entity<RegisteredModel>(e =>
        {
            e.ToTable("tagger_models");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.EmbeddingModel, x.Status });
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasRevision();
        });
        model.AddOutbox();
        model.AddLeases();
    }
}

/// <summary>
/// A harvested arXiv paper with its author-assigned categories (from <c>PaperIngested</c>) and, once
/// Enrichment answered, its embedding (from <c>PaperEnriched</c>). One row a paper: the newest
/// version's text and categories win; an embedding counts only for the content it was made of.
/// </summary>
public class LabelledExample : IRevisioned
{
    public required string PaperId { get; set; }

    /// <summary>The version the text and categories are of (0 while only a <c>PaperEnriched</c> arrived).</summary>
    public int Version { get; set; }

    public string Title { get; set; } = "";
    public string Abstract { get; set; } = "";

    /// <summary>Today's arXiv ids, primary first; empty until a labelled <c>PaperIngested</c> arrived.</summary>
    public List<string> Categories { get; set; } = [];

    public DateOnly ListedOn { get; set; }
    public string? ContentHash { get; set; }

    public float[]? Embedding { get; set; }
    public string? EmbeddingModel { get; set; }

    /// <summary>The content hash the embedding is of: it serves only while it equals <see cref="ContentHash"/>.</summary>
    public string? EnrichedHash { get; set; }

    public DateTimeOffset? EnrichedAt { get; set; }

    /// <summary>When the row last changed (UTC); embeddings of papers that never got categories are dropped after a while.</summary>
    public DateTime UpdatedAt { get; set; }

    public int Revision { get; set; }
}

/// <summary>The embedding of one base-set paper by one embedding model (key: model and text hash), so a retraining embeds the base set once.</summary>
public class BaseVector
{
    public required string Key { get; set; }
    public required float[]? Embedding { get; set; }
}

public enum ModelStatus
{
    /// <summary>Trained and judged, not promoted (it did not beat the current model).</summary>
    Candidate,

    /// <summary>What Enrichment replicas of its embedding model tag with (one at a time per embedding model).</summary>
    Promoted,

    /// <summary>Was promoted; a better model, or a rollback, replaced it.</summary>
    Retired,
}

/// <summary>A trained tagger model in the registry: its metrics, training window, data counts and the model itself.</summary>
public class RegisteredModel : IRevisioned
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public required string EmbeddingModel { get; set; }

    /// <summary>Listing days of the harvested examples it was fitted on (first, last: the held-out days too, see <c>TaggerFitter</c>) and of those it was judged on before that refit.</summary>
    public DateOnly TrainedFrom { get; set; }
    public DateOnly TrainedTo { get; set; }
    public DateOnly ValidatedFrom { get; set; }
    public DateOnly ValidatedTo { get; set; }

    public int HarvestExamples { get; set; }
    public int BaseExamples { get; set; }
    public int ValidationExamples { get; set; }

    /// <summary>The <see cref="Learning.RetrainReport"/> of the retraining that made it (JSON): split, metrics per category and archive, the comparison.</summary>
    public required string ReportJson { get; set; }

    /// <summary>The model as <c>TaggerModel.Save</c> writes it: what Enrichment loads.</summary>
    public required string ModelJson { get; set; }

    public ModelStatus Status { get; set; }
    public DateTime? PromotedAt { get; set; }

    /// <summary>The model that was promoted when this one was (what a rollback goes back to); null for the shipped one.</summary>
    public Guid? Replaced { get; set; }

    public int Revision { get; set; }
}
