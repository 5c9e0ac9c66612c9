using Microsoft.EntityFrameworkCore;

namespace Papers.Api.Data;

public static class PaperReads
{
    /// <summary>Papers with their enrichment, keyed by id; ids not found are absent.</summary>
    public static async Task<Dictionary<string, (PaperRecord Paper, EnrichmentRecord? Enrichment)>> LoadAsync(
        this ApiDbContext db, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var papers = await db.Papers.AsNoTracking().Where(p => ids.Contains(p.PaperId)).ToListAsync(cancellationToken);
        var enrichments = await db.Enrichments.AsNoTracking().Where(e => ids.Contains(e.PaperId)).ToDictionaryAsync(e => e.PaperId, cancellationToken);
        return papers.ToDictionary(p => p.PaperId, p => (p, enrichments.GetValueOrDefault(p.PaperId)));
    }
}
