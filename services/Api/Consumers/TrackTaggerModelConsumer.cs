using MassTransit;
using Papers.Api.Data;
using Papers.Api.Retagging;
using Papers.Contracts;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Api.Consumers;

/// <summary>
/// Remembers the tagger model Training promoted last for each embedding model, and wakes the
/// re-tagging sweeper when that changes. A promotion delivered after a newer one (no order across
/// the outbox relay's retries) changes nothing; Api replicas taking promotions at once are kept
/// apart by the row's <c>Revision</c> (the loser is retried by the bus with a fresh read).
/// </summary>
public sealed class TrackTaggerModelConsumer(ApiDbContext db, RetaggingSignal retagging, ILogger<TrackTaggerModelConsumer> logger)
    : IConsumer<TaggerModelPromoted>
{
    public async Task Consume(ConsumeContext<TaggerModelPromoted> context)
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.EmbeddingModel))
            throw new PermanentMessageException($"TaggerModelPromoted for model {m.ModelId} names no embedding model.");
        // To the microsecond, as PostgreSQL keeps it: a repeat must compare equal to what was stored.
        var promotedAt = new DateTime(m.PromotedAt.UtcTicks - m.PromotedAt.UtcTicks % 10, DateTimeKind.Utc);
        var row = await db.TaggerPromotions.FindAsync([m.EmbeddingModel], context.CancellationToken);
        if (row is not null && row.PromotedAt >= promotedAt)
            return;
        if (row is null)
            db.TaggerPromotions.Add(row = new TaggerPromotion { EmbeddingModel = m.EmbeddingModel });
        (row.ModelId, row.PromotedAt) = (m.ModelId, promotedAt);
        await db.SaveChangesAsync(context.CancellationToken);
        logger.LogInformation("Papers embedded by {EmbeddingModel} whose tags were predicted are re-tagged with tagger model {Model} ({Reason})",
            m.EmbeddingModel, m.ModelId?.ToString() ?? "built-in", m.Reason);
        retagging.Notify();
    }
}
