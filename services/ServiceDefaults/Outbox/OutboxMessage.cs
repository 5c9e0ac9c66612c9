using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Papers.ServiceDefaults.Outbox;

/// <summary>
/// An event recorded in the same transaction as the state change that caused it; the
/// <see cref="OutboxRelay{TContext}"/> publishes it after commit and retries until it is sent.
/// </summary>
public class OutboxMessage
{
    public long Id { get; set; }

    /// <summary>The bus message id: a relay that crashes after publishing republishes the same id.</summary>
    public Guid MessageId { get; set; }

    /// <summary>Full name of a type in the contracts assembly.</summary>
    public required string MessageType { get; set; }

    public required string Body { get; set; }

    /// <summary>W3C trace context of the transaction, so the trace continues across the bus.</summary>
    public string? TraceParent { get; set; }

    // UTC DateTime rather than DateTimeOffset: SQLite can compare and order DateTime columns only.
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public string? LastError { get; set; }

    public static OutboxMessage Create<T>(T message, DateTime utcNow) where T : class => new()
    {
        MessageId = Guid.NewGuid(),
        MessageType = typeof(T).FullName!,
        Body = JsonSerializer.Serialize(message),
        TraceParent = Activity.Current?.Id,
        CreatedAt = utcNow,
        NextAttemptAt = utcNow,
    };
}

public static class OutboxModel
{
    /// <summary>Adds the outbox table to a service's model.</summary>
    public static ModelBuilder AddOutbox(this ModelBuilder model)
    {
        model.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasIndex(m => new { m.SentAt, m.NextAttemptAt });
            e.Property(m => m.MessageType).HasMaxLength(200);
        });
        return model;
    }

    /// <summary>Records <paramref name="message"/> to be published when this context's changes commit.</summary>
    public static void AddToOutbox<T>(this DbContext db, T message, TimeProvider? clock = null) where T : class =>
        db.Set<OutboxMessage>().Add(OutboxMessage.Create(message, (clock ?? TimeProvider.System).GetUtcNow().UtcDateTime));
}
