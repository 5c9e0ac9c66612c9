using Microsoft.EntityFrameworkCore;
using Papers.Contracts;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Notifications.Data;

/// <summary>Subscribers, their topics, what was sent to them, and the papers digests choose from.</summary>
public sealed class NotificationsDbContext : DbContext
{
    public NotificationsDbContext(DbContextOptions<NotificationsDbContext> options)
        : base(options) => this.BumpRevisionsOnSave();

    public DbSet<Subscriber> Subscribers => Set<Subscriber>();
    public DbSet<Delivery> Deliveries => Set<Delivery>();
    public DbSet<CandidatePaper> Candidates => Set<CandidatePaper>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Subscriber>(e =>
        {
            e.ToTable("subscribers");
            e.HasKey(s => s.Id);
            e.Property(s => s.Email).HasMaxLength(320);
            e.HasIndex(s => s.Email).IsUnique();
            e.HasIndex(s => s.UnsubscribeToken).IsUnique();
            e.Property(s => s.Topics).HasJsonConversion();
            e.Property(s => s.TopicDefinitions).HasJsonConversion();
        });
        model.Entity<Delivery>(e =>
        {
            e.ToTable("deliveries");
            e.HasKey(d => d.Id);
            e.HasIndex(d => d.SubscriberId);
            e.Property(d => d.PaperIds).HasJsonConversion();
        });
        model.Entity<CandidatePaper>(e =>
        {
            e.ToTable("candidate_papers");
            e.HasKey(c => c.PaperId);
            e.Property(c => c.PaperId).HasMaxLength(64);
            e.HasIndex(c => c.ArrivedAt);
            e.Property(c => c.Authors).HasJsonConversion();
            e.Property(c => c.Tags).HasJsonConversion();
            e.Property(c => c.Keywords).HasJsonConversion();
            e.Property(c => c.Embedding).HasVectorConversion();
            e.HasRevision();
        });
        model.AddOutbox();
        model.AddLeases();
    }
}

public class Subscriber
{
    public Guid Id { get; set; }
    public required string Email { get; set; }

    /// <summary>Topics followed: free text ("quantization"), arXiv categories ("cs.CL"), or the name of one of <see cref="TopicDefinitions"/>.</summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>Topics the subscriber defined by a description and/or example papers.</summary>
    public List<SubscriberTopic> TopicDefinitions { get; set; } = [];

    /// <summary>Secret in every digest's unsubscribe link: unsubscribing needs no login.</summary>
    public required string UnsubscribeToken { get; set; }

    /// <summary>UTC; DateTime because SQLite can order DateTime columns, not DateTimeOffset.</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>Digests go out: confirmed through the link mailed to the address, and not unsubscribed.</summary>
    public bool Active { get; set; }

    /// <summary>When the address's owner confirmed through the signed link (double opt-in); null until then (UTC).</summary>
    public DateTime? ConfirmedAt { get; set; }

    /// <summary>When a confirmation or manage-link mail last went to this address (UTC): at most one an hour, whoever asks.</summary>
    public DateTime? LastMailedAt { get; set; }

    /// <summary>Papers that arrived after this were not yet considered for this subscriber (UTC).</summary>
    public DateTime LastDigestAt { get; set; }
}

/// <summary>
/// A topic a subscriber defines: its name, a description, and example papers (ids of papers
/// known here, or their title and abstract as text). A paper matches it by similarity to the
/// sum of their embeddings, the approach Enrichment uses for operators' custom topics.
/// </summary>
public class SubscriberTopic
{
    public required string Name { get; set; }
    public string? Description { get; set; }
    public List<string> Examples { get; set; } = [];
}

public class Delivery
{
    public Guid Id { get; set; }
    public Guid SubscriberId { get; set; }
    public List<string> PaperIds { get; set; } = [];
    public DateTimeOffset SentAt { get; set; }
    public required string Transport { get; set; }
}

/// <summary>A paper digests can include: text from <c>PaperIngested</c>, vector and tags from <c>PaperEnriched</c>.</summary>
public class CandidatePaper : IRevisioned
{
    public required string PaperId { get; set; }

    /// <summary>The version the text is of (0 until a <c>PaperIngested</c> arrived).</summary>
    public int Version { get; set; }

    public string? Title { get; set; }
    public string? Abstract { get; set; }
    public List<string> Authors { get; set; } = [];
    public string? ContentHash { get; set; }
    public DateOnly? ListedOn { get; set; }
    public float[]? Embedding { get; set; }
    public string? EmbeddingModel { get; set; }
    public string? EnrichedHash { get; set; }

    /// <summary>The version the embedding is of (0 until a <c>PaperEnriched</c> arrived).</summary>
    public int EnrichedVersion { get; set; }

    /// <summary>When Enrichment made the embedding (to the microsecond): of two for the same content, the later wins.</summary>
    public DateTimeOffset? EnrichedAt { get; set; }

    public List<TopicTag> Tags { get; set; } = [];
    public List<string> Keywords { get; set; } = [];

    /// <summary>When the paper (or a new version) arrived here (UTC); digests take papers newer than their last run.</summary>
    public DateTime ArrivedAt { get; set; }

    public bool IsReady => Title is not null && Embedding is not null && EnrichedHash == ContentHash;

    /// <summary>Concurrency token: the paper's two events may be taken at once on two replicas.</summary>
    public int Revision { get; set; }
}
