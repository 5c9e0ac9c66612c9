using MassTransit;
using Papers.Api.Data;
using Papers.Api.Reenrichment;
using Papers.Api.Search;
using Papers.Contracts;

namespace Papers.Api.Consumers;

/// <summary>
/// Stores a paper's embedding, tags and keywords. Kept even when the paper itself hasn't arrived
/// yet (the two events travel separately); a stale enrichment never replaces a current one: an
/// older version loses, and for the same content the later enrichment wins (a re-enrichment by a
/// new model replaces the old model's; a redelivery changes nothing).
/// </summary>
public sealed class IndexEnrichmentConsumer(ApiDbContext db, SearchIndexSignal searchIndex, ReenrichmentSignal reenrichment, TimeProvider clock) : IConsumer<PaperEnriched>
{
    public async Task Consume(ConsumeContext<PaperEnriched> context)
    {
        var m = context.Message;
        var existing = await db.Enrichments.FindAsync([m.PaperId], context.CancellationToken);
        if (existing is not null && (existing.Version > m.Version || existing.Version == m.Version && existing.ContentHash == m.ContentHash && existing.EnrichedAt >= m.EnrichedAt))
            return;

        if (existing is null)
        {
            existing = new EnrichmentRecord { PaperId = m.PaperId, ContentHash = m.ContentHash, Embedding = m.Embedding, EmbeddingModel = m.EmbeddingModel };
            db.Enrichments.Add(existing);
        }
        existing.Version = m.Version;
        existing.ContentHash = m.ContentHash;
        existing.Embedding = m.Embedding;
        existing.EmbeddingModel = m.EmbeddingModel;
        existing.Tags = [.. m.Tags];
        existing.PredictedPrimaryCategory = m.PredictedPrimaryCategory;
        existing.Keywords = [.. m.Keywords];
        existing.EnrichedAt = m.EnrichedAt;
        existing.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
        searchIndex.Notify();
        if (existing.RequestedModel == m.EmbeddingModel)
            reenrichment.Notify(); // a requested re-enrichment came back: room for another
    }
}

public sealed class IndexEnrichmentConsumerDefinition : ConsumerDefinition<IndexEnrichmentConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<IndexEnrichmentConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConcurrentMessageLimit = 1;
    }
}
