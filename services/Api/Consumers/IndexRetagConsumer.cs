using MassTransit;
using Papers.Api.Data;
using Papers.Api.Retagging;
using Papers.Api.Search;
using Papers.Contracts;

namespace Papers.Api.Consumers;

/// <summary>
/// Stores the tags Enrichment made again for a stored paper (<see cref="PaperRetagged"/>), when
/// they are for the paper's current content and vector and come from the tagger model promoted
/// now for that embedding model. Anything else is dropped: tags for older content, or from a
/// model a newer promotion (or rollback) superseded while the request was on its way.
/// </summary>
public sealed class IndexRetagConsumer(ApiDbContext db, SearchIndexSignal searchIndex, RetaggingSignal retagging, TimeProvider clock, ILogger<IndexRetagConsumer> logger)
    : IConsumer<PaperRetagged>
{
    public async Task Consume(ConsumeContext<PaperRetagged> context)
    {
        var m = context.Message;
        var enrichment = await db.Enrichments.FindAsync([m.PaperId], context.CancellationToken);
        var promoted = await db.TaggerPromotions.FindAsync([m.EmbeddingModel], context.CancellationToken);
        if (enrichment is null || enrichment.ContentHash != m.ContentHash || enrichment.EmbeddingModel != m.EmbeddingModel
            || promoted is null || promoted.ModelId != m.TaggerModelId)
        {
            logger.LogDebug("Dropped PaperRetagged {PaperId} {ContentHash} by tagger model {Model}: not the current content, vector or promoted model",
                m.PaperId, m.ContentHash, m.TaggerModelId);
            return;
        }
        if (enrichment.TaggerModelId == m.TaggerModelId)
            return; // a repeat: tagged by this model already
        enrichment.Tags = [.. m.Tags];
        enrichment.PredictedPrimaryCategory = m.PredictedPrimaryCategory;
        enrichment.TaggerModelId = m.TaggerModelId;
        enrichment.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
        searchIndex.Notify();
        retagging.Notify(); // a requested re-tagging came back: room for another
    }
}
