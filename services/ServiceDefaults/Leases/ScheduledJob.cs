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
/// <param name="schedule">When runs happen (<see cref="ParseCron"/>); null when the job is off.</param>
/// <param name="what">The job, for logs ("retraining", "arXiv OAI-PMH harvest").</param>
/// <param name="whenOff">What turns the job on, or else starts it, for the log line when it is off.</param>
public abstract class ScheduledJob(IServiceScopeFactory scopes, CronExpression? schedule, string what, string whenOff, TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>
    /// The longest single wait: a far-off occurrence (a yearly cron) is reached in steps, because a
    /// timer refuses waits over about 49 days and a refused wait would fail every turn of the loop.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    /// <summary>When runs happen; null when the job is off.</summary>
    public CronExpression? Schedule => schedule;

    /// <summary>The job's name in logs and status pages.</summary>
    public string What => what;

    protected IServiceScopeFactory Scopes => scopes;

    protected ILogger Logger => logger;

    /// <summary>A cron setting's schedule: null when the setting is empty (the job is off).</summary>
    public static CronExpression? ParseCron(string? cron) => string.IsNullOrWhiteSpace(cron) ? null : CronExpression.Parse(cron);

    /// <summary>The next run after <paramref name="now"/>, or null when there is none.</summary>
    public DateTimeOffset? NextRun(DateTimeOffset now) => schedule?.GetNextOccurrence(now, TimeZoneInfo.Utc);

    /// <summary>Runs occurrence <paramref name="occurrence"/> (see <see cref="Occurrences.At"/>) in a scope of its own, under the job's lease.</summary>
    protected abstract Task<LeaseOutcome> RunAsync(IServiceProvider services, string occurrence, CancellationToken cancellationToken);

    /// <summary>Work done once before waiting for the first occurrence (a scheduled job that is off skips it).</summary>
    protected virtual Task BeforeFirstRunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (schedule is null)
        {
            logger.LogInformation("{What}: off ({WhenOff})", what, whenOff);
            return;
        }
        await BeforeFirstRunAsync(stoppingToken);
        while (NextRun(clock.GetUtcNow()) is { } next)
        {
            logger.LogInformation("{What}: next run at {Next:u}", what, next);
            try
            {
                for (var wait = next - clock.GetUtcNow(); wait > TimeSpan.Zero; wait = next - clock.GetUtcNow())
                    await Task.Delay(wait < MaxWait ? wait : MaxWait, clock, stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                var occurrence = Occurrences.At(next);
                var outcome = await RunAsync(scope.ServiceProvider, occurrence, stoppingToken);
                if (outcome != LeaseOutcome.Ran)
                    logger.LogInformation("{What}: the run of {Occurrence} is not run here: {Outcome}", what, occurrence,
                        outcome == LeaseOutcome.Busy ? "another replica is running it" : "already done");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "{What}: run failed; trying again at the next scheduled time", what);
            }
        }
    }
}
