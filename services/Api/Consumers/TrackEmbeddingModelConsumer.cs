using MassTransit;
using Papers.Api.Data;
using Papers.Api.Reenrichment;
using Papers.Contracts;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Api.Consumers;

/// <summary>
/// Remembers each embedding model Enrichment announces and when a replica last started with it;
/// the model of the latest start is the one every paper should have. A new start wakes the
/// sweeper; the periodic repeats of a known start change nothing.
/// </summary>
public sealed class TrackEmbeddingModelConsumer(ApiDbContext db, ReenrichmentSweeper sweeper, ILogger<TrackEmbeddingModelConsumer> logger)
    : IConsumer<EnrichmentRunning>
{
    public async Task Consume(ConsumeContext<EnrichmentRunning> context)
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.EmbeddingModel))
            throw new PermanentMessageException($"EnrichmentRunning from {m.Instance} names no embedding model.");
        // To the microsecond, as PostgreSQL keeps it: a repeat must compare equal to what was stored.
        var startedAt = new DateTime(m.StartedAt.UtcTicks - m.StartedAt.UtcTicks % 10, DateTimeKind.Utc);
        var previous = await ReenrichmentSweeper.CurrentModelAsync(db, context.CancellationToken);
        var seen = await db.EmbeddingModels.FindAsync([m.EmbeddingModel], context.CancellationToken);
        if (seen is null)
            db.EmbeddingModels.Add(new EmbeddingModelSeen { EmbeddingModel = m.EmbeddingModel, Dimensions = m.Dimensions, Instance = m.Instance, LastStartedAt = startedAt });
        else if (seen.LastStartedAt < startedAt)
            (seen.Dimensions, seen.Instance, seen.LastStartedAt) = (m.Dimensions, m.Instance, startedAt);
        else
            return;
        await db.SaveChangesAsync(context.CancellationToken);

        var current = await ReenrichmentSweeper.CurrentModelAsync(db, context.CancellationToken);
        if (previous is not null && previous != current)
            logger.LogInformation("Enrichment now runs embedding model {Model} (was {Previous}); papers embedded by other models will be re-enriched", current, previous);
        sweeper.Notify();
    }
}

public sealed class TrackEmbeddingModelConsumerDefinition : ConsumerDefinition<TrackEmbeddingModelConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TrackEmbeddingModelConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Replicas starting together announce at once; one at a time keeps their rows from racing.
        endpointConfigurator.ConcurrentMessageLimit = 1;
    }
}
