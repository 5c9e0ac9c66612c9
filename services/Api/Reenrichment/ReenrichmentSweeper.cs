using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Api.Data;
using Papers.Contracts;
using Papers.ServiceDefaults;
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
/// and gives a paper up after <see cref="ReenrichmentOptions.MaxAttempts"/>. On PostgreSQL one
/// replica sweeps at a time (a transaction-scoped advisory lock); the others skip the round.
/// </summary>
public sealed class ReenrichmentSweeper(
    IServiceScopeFactory scopes,
    IOptions<ReenrichmentOptions> options,
    TimeProvider clock,
    ILogger<ReenrichmentSweeper> logger) : BackgroundService
{
    // Any constant shared by the Api's replicas; "reenrich" in ASCII.
    private const long AdvisoryLockKey = 0x7265656e72696368;

    private readonly WakeSignal _signal = new();
    private readonly ReenrichmentOptions _options = Validated(options.Value);

    /// <summary>Look for work now: a model was announced, or requested re-enrichments came back.</summary>
    public void Notify() => _signal.Notify();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await SweepAsync(stoppingToken) == _options.BatchSize)
                    continue;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Looking for papers to re-enrich failed; retrying");
            }
            try
            {
                await _signal.WaitAsync(_options.PollInterval, stoppingToken);
                // Let answers gather, so a pass fills many free places rather than one.
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: requests re-enrichment of up to one batch of papers; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var target = await CurrentModelAsync(db, cancellationToken);
        if (target is null)
            return 0;

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (db.Database.IsNpgsql() && !await db.Database
                    .SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({AdvisoryLockKey}) AS \"Value\"").SingleAsync(cancellationToken))
                return 0;

            var now = clock.GetUtcNow();
            var retryBefore = now.UtcDateTime - _options.RetryAfter;
            var (stale, unanswered) = Backlog(db.Enrichments, target, retryBefore);
            var inFlight = await unanswered.CountAsync(cancellationToken);
            var room = Math.Min(_options.BatchSize, _options.MaxInFlight - inFlight);
            // Each pass reads the backlog: while requests are out, wait for a quarter batch of room.
            if (room <= 0 || inFlight > 0 && room < Math.Max(1, Math.Min(_options.BatchSize, _options.MaxInFlight) / 4))
                return 0;

            // Only enrichments of the paper's current content: a paper with newer content is on
            // its way through the pipeline already and comes back here if the old model made it.
            var due = await stale
                .Where(e => e.RequestedModel != target || e.RequestedAt <= retryBefore && e.RequestAttempts < _options.MaxAttempts)
                .Join(db.Papers, e => e.PaperId, p => p.PaperId, (e, p) => new { Enrichment = e, Paper = p })
                .Where(x => x.Paper.ContentHash == x.Enrichment.ContentHash)
                .OrderByDescending(x => x.Paper.ListedOn).ThenBy(x => x.Paper.PaperId)
                .Take(room)
                .ToListAsync(cancellationToken);
            foreach (var (e, p) in due.Select(x => (x.Enrichment, x.Paper)))
            {
                e.RequestAttempts = e.RequestedModel == target ? e.RequestAttempts + 1 : 1;
                e.RequestedModel = target;
                e.RequestedAt = now.UtcDateTime;
                db.AddToOutbox(new EnrichPaper(p.PaperId, p.Version, p.ContentHash, p.Title, p.Abstract,
                    $"embedding model {e.EmbeddingModel} → {target}", now), clock);
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (due.Count > 0)
                logger.LogInformation("Requested re-enrichment of {Count} papers with {Model} ({InFlight} requested before and unanswered)",
                    due.Count, target, inFlight);
            return due.Count;
        });
    }

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
    private static (IQueryable<EnrichmentRecord> Stale, IQueryable<EnrichmentRecord> Unanswered) Backlog(
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
