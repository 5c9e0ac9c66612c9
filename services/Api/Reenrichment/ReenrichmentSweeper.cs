using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Api.Backlogs;
using Papers.Api.Data;
using Papers.Contracts;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Api.Reenrichment;

/// <summary>How far a change of embedding model has reached the stored papers.</summary>
/// <param name="EmbeddingModel">The model every paper should have: the newest Enrichment announced.</param>
/// <param name="OtherModel">Enrichments made by another model, still to be redone.</param>
/// <param name="InFlight">Of those, re-enrichments requested and not yet answered.</param>
/// <param name="GivenUp">Of those, papers given up on after <see cref="ReenrichmentOptions.MaxAttempts"/> requests.</param>
public record ReenrichmentProgress(string? EmbeddingModel, int OtherModel, int InFlight, int GivenUp);

/// <summary>
/// Carries a change of embedding model to every stored paper: for each paper whose current
/// enrichment came from another model than the newest one Enrichment announced, it sends an
/// <see cref="EnrichPaper"/> through the outbox (newest papers first), keeps at most
/// <see cref="ReenrichmentOptions.MaxInFlight"/> unanswered so that new papers are not stuck
/// behind the backlog, re-sends requests unanswered after <see cref="ReenrichmentOptions.RetryAfter"/>
/// and gives a paper up after <see cref="ReenrichmentOptions.MaxAttempts"/>. One replica sweeps
/// at a time, under the Api's <c>reenrichment</c> lease; the others skip the round (every replica
/// tries each round, so the sweep goes on when the one that swept last is gone).
/// </summary>
public sealed class ReenrichmentSweeper(
    IServiceScopeFactory scopes,
    ClusterLease<ApiDbContext> lease,
    ReenrichmentTarget target,
    ReenrichmentSignal signal,
    IOptions<ReenrichmentOptions> options,
    TimeProvider clock,
    ILogger<ReenrichmentSweeper> logger) : BacklogSweeper(lease, signal, options.Value, clock, logger)
{
    public const string Name = "reenrichment";

    private readonly ReenrichmentOptions _options = options.Value;

    protected override string Job => Name;

    protected override async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var model = await target.CurrentModelAsync(db, cancellationToken);
        if (model is null)
            return 0;

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = Clock.GetUtcNow();
            var retryBefore = now.UtcDateTime - _options.RetryAfter;
            var (stale, unanswered) = ReenrichmentTarget.Backlog(db.Enrichments, model, retryBefore);
            var inFlight = await unanswered.CountAsync(cancellationToken);
            var room = _options.Room(inFlight);
            if (room == 0)
                return 0;

            // Only enrichments of the paper's current content: a paper with newer content is on
            // its way through the pipeline already and comes back here if the old model made it.
            var due = await stale
                .Where(e => e.RequestedModel != model || e.RequestedAt <= retryBefore && e.RequestAttempts < _options.MaxAttempts)
                .Join(db.Papers, e => e.PaperId, p => p.PaperId, (e, p) => new { Enrichment = e, Paper = p })
                .Where(x => x.Paper.ContentHash == x.Enrichment.ContentHash)
                .OrderByDescending(x => x.Paper.ListedOn).ThenBy(x => x.Paper.PaperId)
                .Take(room)
                .ToListAsync(cancellationToken);
            foreach (var (e, p) in due.Select(x => (x.Enrichment, x.Paper)))
            {
                e.RequestAttempts = e.RequestedModel == model ? e.RequestAttempts + 1 : 1;
                e.RequestedModel = model;
                e.RequestedAt = now.UtcDateTime;
                db.AddToOutbox(new EnrichPaper(p.PaperId, p.Version, p.ContentHash, p.Title, p.Abstract,
                    $"embedding model {e.EmbeddingModel} → {model}", now), Clock);
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (due.Count > 0)
                Logger.LogInformation("Requested re-enrichment of {Count} papers with {Model} ({InFlight} requested before and unanswered)",
                    due.Count, model, inFlight);
            return due.Count;
        });
    }
}
