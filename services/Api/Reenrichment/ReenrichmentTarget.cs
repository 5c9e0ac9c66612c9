using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Api.Data;
using Papers.ServiceDefaults;

namespace Papers.Api.Reenrichment;

/// <summary>Wakes the <see cref="ReenrichmentSweeper"/>: a model was announced, or requested re-enrichments came back.</summary>
public sealed class ReenrichmentSignal : WakeSignal;

/// <summary>Which embedding model papers should have, and how far the stored papers are from it.</summary>
public sealed class ReenrichmentTarget(IOptions<ReenrichmentOptions> options, TimeProvider clock)
{
    private readonly ReenrichmentOptions _options = Validated(options.Value);

    /// <summary>How far the read model is from having every paper embedded by the current model.</summary>
    public async Task<ReenrichmentProgress> ProgressAsync(ApiDbContext db, CancellationToken cancellationToken)
    {
        var target = await CurrentModelAsync(db, cancellationToken);
        if (target is null)
            return new ReenrichmentProgress(null, 0, 0, 0);
        var retryBefore = clock.GetUtcNow().UtcDateTime - _options.RetryAfter;
        var (stale, unanswered) = Backlog(db.Enrichments.AsNoTracking(), target, retryBefore);
        return new ReenrichmentProgress(target,
            await stale.CountAsync(cancellationToken),
            await unanswered.CountAsync(cancellationToken),
            await stale.CountAsync(e => e.RequestedModel == target && e.RequestedAt <= retryBefore && e.RequestAttempts >= _options.MaxAttempts, cancellationToken));
    }

    /// <summary>Enrichments made by another model than <paramref name="target"/>, and those of them requested again and not yet answered.</summary>
    internal static (IQueryable<EnrichmentRecord> Stale, IQueryable<EnrichmentRecord> Unanswered) Backlog(
        IQueryable<EnrichmentRecord> enrichments, string target, DateTime retryBefore)
    {
        var stale = enrichments.Where(e => e.EmbeddingModel != target);
        return (stale, stale.Where(e => e.RequestedModel == target && e.RequestedAt > retryBefore));
    }

    /// <summary>
    /// The model papers should have: of the models some replica still announces (within
    /// <see cref="ReenrichmentOptions.ModelAliveFor"/>), the one whose replica started last; else
    /// the last started of all; null before any announcement. "Still announces" keeps an old
    /// replica that restarted late in a rollout from holding the target once it is gone.
    /// </summary>
    public async Task<string?> CurrentModelAsync(ApiDbContext db, CancellationToken cancellationToken)
    {
        var aliveSince = clock.GetUtcNow().UtcDateTime - _options.ModelAliveFor;
        var models = db.EmbeddingModels.AsNoTracking();
        return await models.Where(m => m.LastAnnouncedAt >= aliveSince).OrderByDescending(m => m.LastStartedAt).Select(m => m.EmbeddingModel).FirstOrDefaultAsync(cancellationToken)
            ?? await models.OrderByDescending(m => m.LastStartedAt).Select(m => m.EmbeddingModel).FirstOrDefaultAsync(cancellationToken);
    }

    private static ReenrichmentOptions Validated(ReenrichmentOptions options)
    {
        options.Validate();
        return options;
    }
}
