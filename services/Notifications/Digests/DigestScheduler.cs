using Microsoft.Extensions.Options;
using Papers.ServiceDefaults.Leases;

namespace Papers.Notifications.Digests;

/// <summary>
/// Every replica wakes every <c>Digests:WakeEvery</c> and sends the digests that are due (each
/// subscriber's hour in their zone decides): the lease lets one replica run at a time, and the
/// delivery claims make each digest go out once whichever replica sends it.
/// </summary>
public sealed class DigestScheduler(IServiceScopeFactory scopes, IOptions<DigestOptions> options, TimeProvider clock, ILogger<DigestScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.WakeEvery <= TimeSpan.Zero)
        {
            logger.LogInformation("Digests:WakeEvery is zero: digests are sent only on request (POST /api/digests/run)");
            return;
        }
        using var timer = new PeriodicTimer(options.Value.WakeEvery, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var run = await scope.ServiceProvider.GetRequiredService<DigestRunner>().RunAsync(stoppingToken);
                if (run.Outcome == LeaseOutcome.Busy)
                    logger.LogDebug("Digests not run here: another replica is sending them");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Digest run failed; the next wake retries what is still due");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
