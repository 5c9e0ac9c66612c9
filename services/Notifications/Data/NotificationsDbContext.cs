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
    public DbSet<AccountLink> AccountLinks => Set<AccountLink>();

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
            e.Property(s => s.Authors).HasJsonConversion();
            e.Property(s => s.Keywords).HasJsonConversion();
            e.Property(s => s.Seeds).HasJsonConversion();
            e.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Frequency).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Weekday).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.TimeZone).HasMaxLength(64);
            e.Property(s => s.PausedReason).HasMaxLength(200);
        });
        model.Entity<Delivery>(e =>
        {
            e.ToTable("deliveries");
            e.HasKey(d => d.Id);
            // The claim: one digest per subscriber and period, whichever replica or run gets there first.
            e.HasIndex(d => new { d.SubscriberId, d.Period }).IsUnique();
            e.HasIndex(d => d.State);
            e.Property(d => d.Period).HasMaxLength(40);
            e.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
            e.Property(d => d.MessageId).HasMaxLength(200);
            e.Property(d => d.Error).HasMaxLength(500);
            e.Property(d => d.PaperIds).HasJsonConversion();
            e.Property(d => d.Reasons).HasJsonConversion();
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
        model.Entity<AccountLink>(e =>
        {
            e.ToTable("account_links");
            e.HasKey(l => l.AccountId);
            e.Property(l => l.Email).HasMaxLength(320);
            e.HasIndex(l => l.Email);
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

    /// <summary>A digest of the subscriber's profile, or the trending digest everyone without one gets.</summary>
    public DigestKind Kind { get; set; } = DigestKind.Personal;

    public DigestFrequency Frequency { get; set; } = DigestFrequency.Daily;

    /// <summary>The day a weekly digest goes out, in <see cref="TimeZone"/>.</summary>
    public DayOfWeek Weekday { get; set; } = DayOfWeek.Monday;

    /// <summary>IANA time zone id (<c>Europe/Berlin</c>) of <see cref="Hour"/>.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Local hour (0–23) the digest goes out.</summary>
    public int Hour { get; set; } = 7;

    /// <summary>Authors followed, as papers name them.</summary>
    public List<string> Authors { get; set; } = [];

    /// <summary>Words or phrases matched in titles and abstracts.</summary>
    public List<string> Keywords { get; set; } = [];

    /// <summary>Paper ids known here: "more like these".</summary>
    public List<string> Seeds { get; set; } = [];

    /// <summary>No digests while set (UTC): paused by the subscriber, or after repeated permanent delivery failures.</summary>
    public DateTime? PausedAt { get; set; }

    public string? PausedReason { get; set; }

    /// <summary>Permanent (5xx) delivery failures since the last digest that went through.</summary>
    public int PermanentFailures { get; set; }

    /// <summary>The collection a "for you" digest reads (<see cref="DigestKind.ForYou"/>); null: the whole library.</summary>
    public Guid? ForYouCollection { get; set; }
}

/// <summary>
/// An account of the Api and the address its sign-in provider vouched for (<c>email_verified</c>),
/// from <c>AccountEmailChanged</c>: the subscription of that address may have a "for you" digest of
/// the account's library. Deleting the account (<c>AccountDeleted</c>) clears the address and keeps
/// the row as a tombstone, so that an older event arriving late can't tie the address to it again.
/// </summary>
public class AccountLink : IRevisioned
{
    public Guid AccountId { get; set; }

    /// <summary>The verified address, lower-cased (as subscriptions are matched); null when there is none, or the account was deleted.</summary>
    public string? Email { get; set; }

    /// <summary>When the provider last vouched for it (the event's time; of two events, the later wins). UTC.</summary>
    public DateTime ChangedAt { get; set; }

    /// <summary>When the account was deleted (UTC); the link never comes back.</summary>
    public DateTime? DeletedAt { get; set; }

    /// <summary>Concurrency token: two events of one account may be taken at once on two replicas.</summary>
    public int Revision { get; set; }
}

public enum DigestKind
{
    Personal,
    Trending,

    /// <summary>Recommendations from the library of the account linked to the address (its "for you").</summary>
    ForYou,
}

public enum DigestFrequency
{
    Daily,
    Weekly,
}

/// <summary>Where a digest is: claimed (chosen, not yet handed to SMTP), sending, sent, failed, or empty (nothing new: not sent).</summary>
public enum DeliveryState
{
    Claimed,
    Sending,
    Sent,
    Failed,
    Empty,
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

/// <summary>
/// A subscriber's digest of one period, claimed before it is sent: the row's key (subscriber,
/// period) is what makes a digest go out once whatever the replicas and crashes; a digest claimed
/// or sending when its run died is sent again, with the same papers and Message-ID.
/// </summary>
public class Delivery
{
    public Guid Id { get; set; }
    public Guid SubscriberId { get; set; }

    /// <summary>The schedule period, in the subscriber's zone (<c>daily-2026-11-30</c>, <c>weekly-2026-11-30</c>).</summary>
    public required string Period { get; set; }

    public DeliveryState State { get; set; }

    /// <summary>The same for every attempt, so a receiver drops a copy sent again after a crash.</summary>
    public required string MessageId { get; set; }

    /// <summary>Papers in the digest, in the order shown; never sent again to the subscriber.</summary>
    public List<string> PaperIds { get; set; } = [];

    /// <summary>Why each paper is there, in the order of <see cref="PaperIds"/>.</summary>
    public List<string> Reasons { get; set; } = [];

    /// <summary>UTC.</summary>
    public DateTime ClaimedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }

    /// <summary>The last SMTP reply code of a failed attempt.</summary>
    public int? SmtpStatus { get; set; }

    public string? Error { get; set; }
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

    /// <summary>Upvotes, from the latest <c>PaperUpvoted</c>/<c>PaperUpvoteWithdrawn</c> (by <see cref="UpvotesAt"/>).</summary>
    public int Upvotes { get; set; }

    public DateTimeOffset? UpvotesAt { get; set; }

    /// <summary>When the paper (or a new version) arrived here (UTC); digests take papers newer than their last run.</summary>
    public DateTime ArrivedAt { get; set; }

    public bool IsReady => Title is not null && Embedding is not null && EnrichedHash == ContentHash;

    /// <summary>Concurrency token: the paper's two events may be taken at once on two replicas.</summary>
    public int Revision { get; set; }
}
