using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Api.Backlogs;
using Papers.Api.Data;
using Papers.Contracts;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Api.Retagging;

/// <summary>
/// Carries a promoted (or rolled back) tagger model to the stored papers, as re-enrichment
/// carries a new embedding model: for each paper whose tags were predicted by another tagger model
/// than the one promoted for its embedding model, it sends a <see cref="RetagPaper"/> with the
/// stored vector through the outbox (newest papers first), at most
/// <see cref="BacklogOptions.MaxInFlight"/> unanswered, again after <see cref="BacklogOptions.RetryAfter"/>,
/// given up after <see cref="BacklogOptions.MaxAttempts"/>. A paper is asked once per promoted
/// model; a newer promotion mid-run makes every paper not yet tagged by it due at once, and the
/// older requests still on their way are dropped by Enrichment and by the Api. One replica sweeps
/// at a time, under the lease <c>retagging</c>.
/// </summary>
public sealed class RetaggingSweeper(
    IServiceScopeFactory scopes,
    ClusterLease<ApiDbContext> lease,
    RetaggingSignal signal,
    IOptions<RetaggingOptions> options,
    TimeProvider clock,
    ILogger<RetaggingSweeper> logger) : BacklogSweeper(lease, signal, options.Value, clock, logger)
{
    public const string Name = "retagging";

    private readonly RetaggingOptions _options = options.Value;

    protected override string Job => Name;

    protected override async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = Clock.GetUtcNow();
            var retryBefore = now.UtcDateTime - _options.RetryAfter;
            var stale = RetaggingTarget.Backlog(db.Enrichments, db);
            var inFlight = await RetaggingTarget.Unanswered(stale, retryBefore).CountAsync(cancellationToken);
            var room = _options.Room(inFlight);
            if (room == 0)
                return 0;

            var due = await stale
                .Where(s => s.Enrichment.RetagRequestedAt == null || s.Enrichment.RetagRequestedFor != s.Target
                    || s.Enrichment.RetagRequestedAt <= retryBefore && s.Enrichment.RetagAttempts < _options.MaxAttempts)
                .OrderByDescending(s => s.Paper.ListedOn).ThenBy(s => s.Paper.PaperId)
                .Take(room)
                .ToListAsync(cancellationToken);
            foreach (var (e, p, target) in due.Select(s => (s.Enrichment, s.Paper, s.Target)))
            {
                e.RetagAttempts = e.RetagRequestedAt is not null && e.RetagRequestedFor == target ? e.RetagAttempts + 1 : 1;
                e.RetagRequestedFor = target;
                e.RetagRequestedAt = now.UtcDateTime;
                db.AddToOutbox(new RetagPaper(p.PaperId, e.Version, e.ContentHash, e.EmbeddingModel, e.Embedding, target,
                    $"tagger model {Describe(e.TaggerModelId)} → {Describe(target)}", now), Clock);
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (due.Count > 0)
                Logger.LogInformation("Requested re-tagging of {Count} papers ({InFlight} requested before and unanswered)", due.Count, inFlight);
            return due.Count;
        });
    }

    private static string Describe(Guid? model) => model?.ToString() ?? "built-in";
}
