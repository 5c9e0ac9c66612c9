using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Papers.ServiceDefaults.Leases;

namespace Papers.ServiceDefaults.Outbox;

/// <summary>Section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>
    /// How long a sent row stays in <c>outbox_messages</c> (what the service published lately, for
    /// operators and tests) before the cleanup deletes it. Unsent rows are never deleted.
    /// </summary>
    public TimeSpan KeepSentFor { get; set; } = TimeSpan.FromHours(1);

    internal TimeSpan CleanupEvery => KeepSentFor < TimeSpan.FromMinutes(5) ? KeepSentFor : TimeSpan.FromMinutes(5);
}

/// <summary>
/// Deletes outbox rows sent more than <see cref="OutboxOptions.KeepSentFor"/> ago, in batches,
/// so the table holds the unsent backlog plus a short history instead of growing forever. One
/// replica at a time, under the service's <c>outbox-cleanup</c> lease; the others skip the round.
/// </summary>
public sealed class OutboxCleanup<TContext>(
    IServiceScopeFactory scopes,
    ClusterLease<TContext> lease,
    OutboxOptions options,
    TimeProvider clock,
    ILogger<OutboxCleanup<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    public const string Job = "outbox-cleanup";
    private const int BatchSize = 1_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.CleanupEvery, clock, stoppingToken);
                await CleanUpAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Cleaning up the outbox of {Context} failed; trying again in {Interval}", typeof(TContext).Name, options.CleanupEvery);
            }
        }
    }

    /// <summary>One round: deletes every row sent before the retention window (if this replica holds the lease); returns how many.</summary>
    public async Task<int> CleanUpAsync(CancellationToken cancellationToken)
    {
        var result = await lease.RunOnceAsync(Job, occurrence: null, DeleteSentAsync, cancellationToken);
        return result.Value;
    }

    private async Task<int> DeleteSentAsync(CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow().UtcDateTime - options.KeepSentFor;
        var deleted = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var rows = scope.ServiceProvider.GetRequiredService<TContext>().Set<OutboxMessage>();
            var ids = await rows.Where(m => m.SentAt != null && m.SentAt < before).OrderBy(m => m.Id).Select(m => m.Id).Take(BatchSize).ToListAsync(cancellationToken);
            if (ids.Count == 0)
                break;
            deleted += await rows.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
        }
        if (deleted > 0)
            logger.LogInformation("Deleted {Count} outbox rows of {Context} sent before {Before:u}", deleted, typeof(TContext).Name, before);
        return deleted;
    }
}
