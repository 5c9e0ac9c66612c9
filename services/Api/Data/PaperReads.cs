using Microsoft.EntityFrameworkCore;

namespace Papers.Api.Data;

public static class PaperReads
{
    /// <summary>Papers with their enrichment (without its vector), keyed by id; ids not found are absent.</summary>
    public static async Task<Dictionary<string, (PaperRecord Paper, EnrichmentRecord? Enrichment)>> LoadAsync(
        this ApiDbContext db, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var papers = await db.Papers.AsNoTracking().Where(p => ids.Contains(p.PaperId)).ToListAsync(cancellationToken);
        var enrichments = await db.EnrichmentsWithoutVectors().Where(e => ids.Contains(e.PaperId)).ToDictionaryAsync(e => e.PaperId, cancellationToken);
        return papers.ToDictionary(p => p.PaperId, p => (p, enrichments.GetValueOrDefault(p.PaperId)));
    }

    /// <summary>
    /// Enrichments as pages and the API show them: tags, keywords, model, but not the 1.5 KB
    /// embedding (left empty), which only the search index reads.
    /// </summary>
    public static IQueryable<EnrichmentRecord> EnrichmentsWithoutVectors(this ApiDbContext db) =>
        db.Enrichments.AsNoTracking().Select(e => new EnrichmentRecord
        {
            PaperId = e.PaperId,
            Version = e.Version,
            ContentHash = e.ContentHash,
            Embedding = Array.Empty<float>(),
            EmbeddingModel = e.EmbeddingModel,
            Tags = e.Tags,
            PredictedPrimaryCategory = e.PredictedPrimaryCategory,
            Keywords = e.Keywords,
            EnrichedAt = e.EnrichedAt,
            UpdatedAt = e.UpdatedAt,
        });
}
