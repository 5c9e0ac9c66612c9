using Cronos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Papers.ServiceDefaults.Leases;

/// <summary>
/// Runs a job on a cron schedule (UTC). Every replica wakes at each occurrence; the job's lease
/// (taken by <see cref="RunAsync"/>, through <see cref="ClusterLease{TContext}"/>) lets one run it,
/// and the occurrence is recorded so a replica that wakes late doesn't run it again. A failed run
/// is logged and the next occurrence comes.
/// </summary>
/// <param name="what">The job, for logs ("digest run", "retraining").</param>
/// <param name="setting">The cron's setting and what else starts the job, for the log line when it is off.</param>
public abstract class ScheduledJob(IServiceScopeFactory scopes, string? cron, string what, string setting, TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>Runs occurrence <paramref name="occurrence"/> (see <see cref="Occurrences.At"/>) in a scope of its own, under the job's lease.</summary>
    protected abstract Task<LeaseOutcome> RunAsync(IServiceProvider services, string occurrence, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            logger.LogInformation("{Setting} is empty: no scheduled {What}", setting, what);
            return;
        }
        var schedule = CronExpression.Parse(cron);
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = schedule.GetNextOccurrence(clock.GetUtcNow(), TimeZoneInfo.Utc);
            if (next is null)
                return;
            logger.LogInformation("Next {What} at {Next:u}", what, next);
            try
            {
                var wait = next.Value - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, clock, stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                var occurrence = Occurrences.At(next.Value);
                var outcome = await RunAsync(scope.ServiceProvider, occurrence, stoppingToken);
                if (outcome != LeaseOutcome.Ran)
                    logger.LogInformation("{What} {Occurrence} not run here: {Outcome}", what, occurrence, outcome == LeaseOutcome.Busy ? "another replica is running it" : "already done");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "The {What} failed; the next scheduled one will retry", what);
            }
        }
    }
}
