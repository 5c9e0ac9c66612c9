using MassTransit;
using Papers.Api.Data;
using Papers.Api.Reenrichment;
using Papers.Contracts;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Api.Consumers;

/// <summary>
/// Remembers each embedding model Enrichment announces: when a replica last started with it and
/// when one last announced it (by this service's clock, so a replica's skewed clock can't keep a
/// model alive). Wakes the sweeper when that changes the model papers should have, or a replica
/// started; the periodic repeats of a known start only refresh the time.
/// </summary>
/// <remarks>
/// Enrichment replicas starting together announce at once, and Api replicas take the
/// announcements at once: the row's <c>Revision</c> turns a lost update (an older start written
/// over a newer one) into a conflict, retried by the bus with a fresh read.
/// </remarks>
public sealed class TrackEmbeddingModelConsumer(ApiDbContext db, ReenrichmentTarget target, ReenrichmentSignal reenrichment, TimeProvider clock, ILogger<TrackEmbeddingModelConsumer> logger)
    : IConsumer<EnrichmentRunning>
{
    public async Task Consume(ConsumeContext<EnrichmentRunning> context)
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.EmbeddingModel))
            throw new PermanentMessageException($"EnrichmentRunning from {m.Instance} names no embedding model.");
        // To the microsecond, as PostgreSQL keeps it: a repeat must compare equal to what was stored.
        var startedAt = new DateTime(m.StartedAt.UtcTicks - m.StartedAt.UtcTicks % 10, DateTimeKind.Utc);
        var now = clock.GetUtcNow().UtcDateTime;
        var previous = await target.CurrentModelAsync(db, context.CancellationToken);
        var seen = await db.EmbeddingModels.FindAsync([m.EmbeddingModel], context.CancellationToken);
        var started = seen is null || seen.LastStartedAt < startedAt;
        if (seen is null)
        {
            seen = new EmbeddingModelSeen { EmbeddingModel = m.EmbeddingModel, Instance = m.Instance };
            db.EmbeddingModels.Add(seen);
        }
        if (started)
            (seen.Dimensions, seen.Instance, seen.LastStartedAt) = (m.Dimensions, m.Instance, startedAt);
        seen.LastAnnouncedAt = now;
        await db.SaveChangesAsync(context.CancellationToken);

        var current = await target.CurrentModelAsync(db, context.CancellationToken);
        if (previous != current)
            logger.LogInformation("Papers should now have embedding model {Model} (was {Previous}); papers embedded by other models will be re-enriched", current, previous ?? "none");
        if (started || previous != current)
            reenrichment.Notify();
    }
}
