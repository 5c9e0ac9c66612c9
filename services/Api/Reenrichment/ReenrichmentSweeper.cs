using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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
    ILogger<ReenrichmentSweeper> logger) : BackgroundService
{
    public const string Job = "reenrichment";

    /// <summary>Passes tried again at once when a consumer updated one of the chosen rows meanwhile.</summary>
    private const int ConflictAttempts = 3;

    private readonly ReenrichmentOptions _options = options.Value;

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
                await signal.WaitAsync(_options.PollInterval, stoppingToken);
                // Let answers gather, so a pass fills many free places rather than one.
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One pass, if this replica holds the lease: requests re-enrichment of up to one batch of
    /// papers; returns how many (0 when another replica is sweeping).
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken) =>
        (await lease.RunOnceAsync(Job, occurrence: null, SweepUnderLeaseAsync, cancellationToken)).Value;

    private async Task<int> SweepUnderLeaseAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SweepOnceAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (attempt < ConflictAttempts)
            {
                // A PaperEnriched landed on a chosen row between the read and the write (its
                // revision moved): read the backlog again.
                logger.LogDebug("A re-enrichment pass met a concurrent update; passing again");
            }
        }
    }

    private async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
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
            var now = clock.GetUtcNow();
            var retryBefore = now.UtcDateTime - _options.RetryAfter;
            var (stale, unanswered) = ReenrichmentTarget.Backlog(db.Enrichments, model, retryBefore);
            var inFlight = await unanswered.CountAsync(cancellationToken);
            var room = Math.Min(_options.BatchSize, _options.MaxInFlight - inFlight);
            // Each pass reads the backlog: while requests are out, wait for a quarter batch of room.
            if (room <= 0 || inFlight > 0 && room < Math.Max(1, Math.Min(_options.BatchSize, _options.MaxInFlight) / 4))
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
                    $"embedding model {e.EmbeddingModel} → {model}", now), clock);
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (due.Count > 0)
                logger.LogInformation("Requested re-enrichment of {Count} papers with {Model} ({InFlight} requested before and unanswered)",
                    due.Count, model, inFlight);
            return due.Count;
        });
    }
}
