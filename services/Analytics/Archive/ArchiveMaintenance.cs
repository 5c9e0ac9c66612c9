namespace Papers.Analytics.Archive;

/// <summary>Runs recovery and retention at start-up and every minute after.</summary>
public sealed class ArchiveMaintenance(ArchiveRecovery recovery, ArchiveRetention retention, TimeProvider clock, ILogger<ArchiveMaintenance> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await recovery.RunAsync(stoppingToken);
                await retention.RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Archive maintenance failed; it runs again in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
