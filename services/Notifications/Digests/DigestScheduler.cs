using Cronos;
using Microsoft.Extensions.Options;
using Papers.ServiceDefaults.Leases;

namespace Papers.Notifications.Digests;

/// <summary>
/// Runs the digest on the <c>Digests:Cron</c> schedule (UTC). Every replica wakes at each
/// occurrence; the digests lease lets one run it, and the occurrence is recorded so a replica
/// that wakes late doesn't run it again.
/// </summary>
public sealed class DigestScheduler(IServiceScopeFactory scopes, IOptions<DigestOptions> options, TimeProvider clock, ILogger<DigestScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.Cron))
        {
            logger.LogInformation("Digests:Cron is empty: digests are sent only on request (POST /api/digests/run)");
            return;
        }
        var schedule = CronExpression.Parse(options.Value.Cron);
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = schedule.GetNextOccurrence(clock.GetUtcNow(), TimeZoneInfo.Utc);
            if (next is null)
                return;
            logger.LogInformation("Next digest run at {Next:u}", next);
            try
            {
                var wait = next.Value - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, clock, stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                var occurrence = Occurrences.At(next.Value);
                var run = await scope.ServiceProvider.GetRequiredService<DigestRunner>().RunAsync(occurrence, stoppingToken);
                if (run.Outcome != LeaseOutcome.Ran)
                    logger.LogInformation("Digest run {Occurrence} not run here: {Outcome}", occurrence, run.Outcome == LeaseOutcome.Busy ? "another replica is running it" : "already done");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Digest run failed; the next scheduled run will retry");
            }
        }
    }
}
