using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Api.Data;
using Papers.ServiceDefaults;

namespace Papers.Api.Retagging;

/// <summary>Wakes the <see cref="RetaggingSweeper"/>: a tagger model was promoted, or requested re-taggings came back.</summary>
public sealed class RetaggingSignal : WakeSignal;

/// <summary>How far a promoted tagger model has reached the stored papers.</summary>
/// <param name="Stale">Papers whose tags were predicted by another tagger model than the one promoted for their embedding model.</param>
/// <param name="InFlight">Of those, re-taggings requested and not yet answered.</param>
/// <param name="GivenUp">Of those, papers given up on after <see cref="RetaggingOptions.MaxAttempts"/> requests.</param>
public record RetaggingProgress(int Stale, int InFlight, int GivenUp);

/// <summary>A stored paper whose predicted tags came from another tagger model than <see cref="Target"/>.</summary>
internal sealed class StaleTags
{
    public required EnrichmentRecord Enrichment { get; init; }
    public required PaperRecord Paper { get; init; }
    public Guid? Target { get; init; }
}

/// <summary>Which papers should be tagged again: those of the current content, without arXiv categories, tagged by another model than the one promoted.</summary>
public sealed class RetaggingTarget(IOptions<RetaggingOptions> options, TimeProvider clock)
{
    private readonly RetaggingOptions _options = Validated(options.Value);

    public async Task<RetaggingProgress> ProgressAsync(ApiDbContext db, CancellationToken cancellationToken)
    {
        var retryBefore = clock.GetUtcNow().UtcDateTime - _options.RetryAfter;
        var stale = Backlog(db.Enrichments.AsNoTracking(), db);
        return new RetaggingProgress(
            await stale.CountAsync(cancellationToken),
            await Unanswered(stale, retryBefore).CountAsync(cancellationToken),
            await stale.CountAsync(s => s.Enrichment.RetagRequestedFor == s.Target && s.Enrichment.RetagRequestedAt <= retryBefore && s.Enrichment.RetagAttempts >= _options.MaxAttempts, cancellationToken));
    }

    /// <summary>
    /// Papers to tag again. Only the paper's current content (newer content is on its way through
    /// the pipeline and is tagged there), and only papers without a primary arXiv category: those
    /// came with the categories their authors chose, which no prediction replaces.
    /// </summary>
    internal static IQueryable<StaleTags> Backlog(IQueryable<EnrichmentRecord> enrichments, ApiDbContext db) =>
        from e in enrichments
        join t in db.TaggerPromotions on e.EmbeddingModel equals t.EmbeddingModel
        join p in db.Papers on e.PaperId equals p.PaperId
        where p.ContentHash == e.ContentHash && p.PrimaryCategory == null && e.TaggerModelId != t.ModelId
        select new StaleTags { Enrichment = e, Paper = p, Target = t.ModelId };

    /// <summary>Of <paramref name="stale"/>, those requested for their target and not yet answered.</summary>
    internal static IQueryable<StaleTags> Unanswered(IQueryable<StaleTags> stale, DateTime retryBefore) =>
        stale.Where(s => s.Enrichment.RetagRequestedFor == s.Target && s.Enrichment.RetagRequestedAt > retryBefore);

    private static RetaggingOptions Validated(RetaggingOptions options)
    {
        options.Validate(RetaggingOptions.Section);
        return options;
    }
}
