using Cronos;
using Microsoft.Extensions.Options;

namespace Papers.Notifications.Digests;

/// <summary>Runs the digest on the <c>Digests:Cron</c> schedule (UTC).</summary>
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
                await scope.ServiceProvider.GetRequiredService<DigestRunner>().RunAsync(stoppingToken);
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
