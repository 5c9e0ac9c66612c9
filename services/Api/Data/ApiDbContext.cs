using Microsoft.EntityFrameworkCore;
using Papers.Api.Accounts;
using Papers.Contracts;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Api.Data;

/// <summary>The Api's read model, built from <c>PaperIngested</c> and <c>PaperEnriched</c>, plus votes.</summary>
public sealed class ApiDbContext : DbContext
{
    public ApiDbContext(DbContextOptions<ApiDbContext> options)
        : base(options) => this.BumpRevisionsOnSave();

    public DbSet<PaperRecord> Papers => Set<PaperRecord>();
    public DbSet<EnrichmentRecord> Enrichments => Set<EnrichmentRecord>();
    public DbSet<Vote> Votes => Set<Vote>();
    public DbSet<EmbeddingModelSeen> EmbeddingModels => Set<EmbeddingModelSeen>();
    public DbSet<TaggerPromotion> TaggerPromotions => Set<TaggerPromotion>();
    public DbSet<Submission> Submissions => Set<Submission>();
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Collection> Collections => Set<Collection>();
    public DbSet<SavedPaper> SavedPapers => Set<SavedPaper>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<PaperRecord>(e =>
        {
            e.ToTable("papers");
            e.HasKey(p => p.PaperId);
            e.Property(p => p.PaperId).HasMaxLength(64);
            e.Property(p => p.ContentHash).HasMaxLength(64);
            e.Property(p => p.Authors).HasJsonConversion();
            e.Property(p => p.Categories).HasJsonConversion();
            e.Property(p => p.Dois).HasJsonConversion();
            e.HasIndex(p => p.ListedOn);
            e.HasIndex(p => p.UpdatedAt);
            e.Ignore(p => p.Upvotes);
            e.HasRevision();
        });
        model.Entity<EnrichmentRecord>(e =>
        {
            e.ToTable("enrichments");
            e.HasKey(p => p.PaperId);
            e.Property(p => p.PaperId).HasMaxLength(64);
            e.Property(p => p.ContentHash).HasMaxLength(64);
            e.Property(p => p.Tags).HasJsonConversion();
            e.Property(p => p.Keywords).HasJsonConversion();
            e.Property<float[]?>(nameof(EnrichmentRecord.Embedding)).HasVectorConversion();
            e.HasIndex(p => p.UpdatedAt);
            e.HasIndex(p => p.EmbeddingModel);
            e.HasRevision();
        });
        model.Entity<EmbeddingModelSeen>(e =>
        {
            e.ToTable("embedding_models");
            e.HasKey(m => m.EmbeddingModel);
            e.HasRevision();
        });
        model.Entity<TaggerPromotion>(e =>
        {
            e.ToTable("tagger_promotions");
            e.HasKey(t => t.EmbeddingModel);
            e.HasRevision();
        });
        model.Entity<Vote>(e =>
        {
            e.ToTable("votes");
            e.HasKey(v => new { v.PaperId, v.VoterId });
        });
        model.Entity<Submission>(e =>
        {
            e.ToTable("submissions");
            e.HasKey(s => s.Id);
            e.Property(s => s.PaperId).HasMaxLength(64);
            e.Property(s => s.SubmittedBy).HasMaxLength(64);
            e.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Authors).HasJsonConversion();
            e.HasIndex(s => new { s.SubmittedBy, s.SubmittedAt });
            e.HasIndex(s => new { s.Status, s.ListedOn });
            e.HasIndex(s => s.PaperId);
        });
        model.AddAccounts();
        model.AddOutbox();
        model.AddLeases();
    }
}

/// <summary>The latest version of a paper, as <c>PaperIngested</c> described it.</summary>
public class PaperRecord : IRevisioned
{
    public required string PaperId { get; set; }
    public int Version { get; set; }
    public required string Title { get; set; }
    public required string Abstract { get; set; }
    public List<PaperAuthor> Authors { get; set; } = [];
    public string? PrimaryCategory { get; set; }
    public List<string> Categories { get; set; } = [];
    public DateOnly? PublishedOn { get; set; }
    public DateOnly ListedOn { get; set; }
    public required string Source { get; set; }
    public string? SubmittedBy { get; set; }
    public string? Comments { get; set; }
    public string? JournalRef { get; set; }
    /// <summary>The first DOI (what links and older readers use); all of them are in <see cref="Dois"/>.</summary>
    public string? Doi { get; set; }

    /// <summary>Every DOI the source gave, in its order (a paper and its erratum, say); the first is <see cref="Doi"/>.</summary>
    public List<string> Dois { get; set; } = [];

    public string? License { get; set; }

    /// <summary>Upvotes the source reported (curated lists); only <c>PaperIngested</c> sets it.</summary>
    public int SourceUpvotes { get; set; }

    /// <summary>
    /// Votes cast here; only votes change it, and only by atomic SQL increments (never read,
    /// modified and written back), so concurrent votes on any replica all count.
    /// </summary>
    public int LocalUpvotes { get; set; }

    /// <summary>What a paper shows: the source's upvotes plus ours.</summary>
    public int Upvotes => SourceUpvotes + LocalUpvotes;

    public required string ContentHash { get; set; }
    public DateTimeOffset IngestedAt { get; set; }

    /// <summary>Last change to this row (UTC); replicas refresh their search index from it.</summary>
    public DateTime UpdatedAt { get; set; }

    /// <summary>Concurrency token: one more on every update through a context (votes' atomic increments leave it).</summary>
    public int Revision { get; set; }
}

/// <summary>
/// The latest enrichment of a paper. Kept apart from the paper because the two events travel on
/// different queues: an enrichment may arrive before its paper and must not be lost.
/// </summary>
public class EnrichmentRecord : IRevisioned
{
    public required string PaperId { get; set; }
    public int Version { get; set; }
    public required string ContentHash { get; set; }
    public required float[] Embedding { get; set; }
    public required string EmbeddingModel { get; set; }
    public List<TopicTag> Tags { get; set; } = [];
    public string? PredictedPrimaryCategory { get; set; }
    public List<string> Keywords { get; set; } = [];
    public DateTimeOffset EnrichedAt { get; set; }

    /// <summary>Last change to this row (UTC); replicas refresh their search index from it.</summary>
    public DateTime UpdatedAt { get; set; }

    /// <summary>The model a re-enrichment was last requested for (<c>EnrichPaper</c>), if any.</summary>
    public string? RequestedModel { get; set; }

    /// <summary>When it was last requested (UTC).</summary>
    public DateTime? RequestedAt { get; set; }

    /// <summary>Requests sent for <see cref="RequestedModel"/>; the sweeper gives up after a few.</summary>
    public int RequestAttempts { get; set; }

    /// <summary>The tagger model Training promoted that made <see cref="Tags"/>; null: Enrichment's built-in one (or not known).</summary>
    public Guid? TaggerModelId { get; set; }

    /// <summary>When a re-tagging (<c>RetagPaper</c>) was last requested (UTC); null: never.</summary>
    public DateTime? RetagRequestedAt { get; set; }

    /// <summary>The tagger model it was requested for (null: the built-in one).</summary>
    public Guid? RetagRequestedFor { get; set; }

    /// <summary>Requests sent for <see cref="RetagRequestedFor"/>; the sweeper gives up after a few.</summary>
    public int RetagAttempts { get; set; }

    /// <summary>Concurrency token: one more on every update (a consumer's, or the sweeper's request).</summary>
    public int Revision { get; set; }
}

/// <summary>An embedding model Enrichment replicas announced (<c>EnrichmentRunning</c>); see <c>ReenrichmentSweeper.CurrentModelAsync</c> for which one papers should have.</summary>
public class EmbeddingModelSeen : IRevisioned
{
    public required string EmbeddingModel { get; set; }
    public int Dimensions { get; set; }
    public required string Instance { get; set; }

    /// <summary>The latest start of a replica with this model (UTC).</summary>
    public DateTime LastStartedAt { get; set; }

    /// <summary>The latest announcement of any replica with this model (UTC): whether one still runs it.</summary>
    public DateTime LastAnnouncedAt { get; set; }

    /// <summary>Concurrency token: Api replicas take announcements of the same model at once.</summary>
    public int Revision { get; set; }
}

/// <summary>
/// The tagger model Training promoted last for an embedding model (<c>TaggerModelPromoted</c>):
/// papers embedded by that model whose tags were predicted should be tagged by it.
/// </summary>
public class TaggerPromotion : IRevisioned
{
    public required string EmbeddingModel { get; set; }

    /// <summary>The promoted model; null: a rollback left Enrichment's built-in one.</summary>
    public Guid? ModelId { get; set; }

    /// <summary>When it was promoted (UTC): a promotion delivered late never replaces a newer one.</summary>
    public DateTime PromotedAt { get; set; }

    /// <summary>Concurrency token: Api replicas may take promotions for one embedding model at once.</summary>
    public int Revision { get; set; }
}

public enum SubmissionKind
{
    /// <summary>By arXiv id: the paper comes from arXiv, the submission lists it on a day.</summary>
    ArxivId,

    /// <summary>By title and abstract: held until an admin approves it.</summary>
    Text,
}

public enum SubmissionStatus
{
    /// <summary>On the list of <see cref="Submission.ListedOn"/> (arXiv ids at once; text once approved).</summary>
    Listed,

    /// <summary>Text waiting for an admin.</summary>
    Pending,

    Rejected,
}

/// <summary>
/// A paper a caller submitted. By arXiv id it is an entry on a day's list pointing at the paper
/// Ingest fetches from arXiv; by title and abstract it waits for moderation, and once approved
/// Ingest adds it as a paper of its own. A submission never changes an existing paper.
/// </summary>
public class Submission
{
    public Guid Id { get; set; }
    public SubmissionKind Kind { get; set; }
    public SubmissionStatus Status { get; set; }

    /// <summary>The arXiv id (kind ArxivId).</summary>
    public string? PaperId { get; set; }

    public string? Title { get; set; }
    public string? Summary { get; set; }
    public List<string> Authors { get; set; } = [];

    /// <summary>The caller's pseudonymous id (<c>v-…</c> visitor, <c>k-…</c> API key).</summary>
    public required string SubmittedBy { get; set; }

    public DateTime SubmittedAt { get; set; }

    /// <summary>The day whose list shows it, once listed.</summary>
    public DateOnly? ListedOn { get; set; }

    /// <summary>The admin key that approved or rejected it, and when.</summary>
    public string? ModeratedBy { get; set; }

    public DateTime? ModeratedAt { get; set; }
}

/// <summary>One voter's upvote of one paper: a second vote by the same voter counts nothing.</summary>
public class Vote
{
    public required string PaperId { get; set; }
    public required string VoterId { get; set; }
    public DateTimeOffset VotedAt { get; set; }
}
