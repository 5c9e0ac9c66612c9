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
/// new model replaces the old model's; a redelivery changes nothing). Events may arrive in any
/// order, on any replica: only these comparisons decide, never arrival.
/// </summary>
/// <remarks>
/// Concurrent updates of one row (two replicas, or a replica and the re-enrichment sweeper) are
/// caught by the row's <c>Revision</c>; the loser is retried by the bus in a fresh scope.
/// </remarks>
public sealed class IndexEnrichmentConsumer(ApiDbContext db, SearchIndexSignal searchIndex, ReenrichmentSignal reenrichment, TimeProvider clock, ILoggerFactory logs)
    : IConsumer<PaperEnriched>
{
    private readonly ILogger _applied = AppliedLog.Create(logs);

    public async Task Consume(ConsumeContext<PaperEnriched> context)
    {
        var m = context.Message;
        // To the microsecond, as PostgreSQL keeps it: a redelivery must compare equal to what was stored.
        var enrichedAt = new DateTimeOffset(m.EnrichedAt.UtcTicks - m.EnrichedAt.UtcTicks % 10, TimeSpan.Zero);
        var existing = await db.Enrichments.FindAsync([m.PaperId], context.CancellationToken);
        if (existing is not null && (existing.Version > m.Version || existing.Version == m.Version && existing.ContentHash == m.ContentHash && existing.EnrichedAt >= enrichedAt))
            return;
        // Enrichment again of what is here, by the same model (Ingest's outbox re-sent a
        // PaperIngested after a crash, say): the same answer changes nothing. A new tagger's tags
        // or keyphrases do change the row.
        if (existing is not null && existing.Version == m.Version && existing.ContentHash == m.ContentHash && SaysTheSame(existing, m))
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
        existing.TaggerModelId = m.TaggerModelId;
        existing.EnrichedAt = enrichedAt;
        existing.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
        _applied.LogInformation("Applied PaperEnriched {PaperId} v{Version} {ContentHash} {EmbeddingModel} message {MessageId}",
            m.PaperId, m.Version, m.ContentHash, m.EmbeddingModel, context.MessageId);
        searchIndex.Notify();
        if (existing.RequestedModel == m.EmbeddingModel)
            reenrichment.Notify(); // a requested re-enrichment came back: room for another
    }

    /// <summary>
    /// Same models, tags, predicted category and keyphrases. Scores are compared to 1e-3: the model
    /// is deterministic, but a text in another batch is padded differently, which moves floats in
    /// their last digits.
    /// </summary>
    private static bool SaysTheSame(EnrichmentRecord e, PaperEnriched m) =>
        e.EmbeddingModel == m.EmbeddingModel
        && e.TaggerModelId == m.TaggerModelId
        && e.PredictedPrimaryCategory == m.PredictedPrimaryCategory
        && e.Keywords.SequenceEqual(m.Keywords, StringComparer.Ordinal)
        && e.Tags.Count == m.Tags.Count
        && e.Tags.Zip(m.Tags).All(t => t.First.Topic == t.Second.Topic && Math.Abs(t.First.Score - t.Second.Score) < 1e-3);
}
