using Papers.Analytics.Data;
using Papers.ServiceDefaults.Leases;

namespace Papers.Analytics.Archive;

/// <summary>
/// Runs recovery and retention at start-up and every minute after, then compaction under the
/// cluster-wide <c>archive-compaction</c> lease (one replica compacts; the swap's own check makes
/// a second one harmless, but it would merge the same files for nothing).
/// </summary>
public sealed class ArchiveMaintenance(ArchiveRecovery recovery, ArchiveRetention retention, ArchiveCompaction compaction, ClusterLease<AnalyticsDbContext> lease,
    ArchiveOptions options, TimeProvider clock, ILogger<ArchiveMaintenance> logger) : BackgroundService
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
                if (options.CompactDaysPerPass > 0)
                    await lease.RunOnceAsync("archive-compaction", null, ct => compaction.RunAsync(options.CompactDaysPerPass, ct), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Archive maintenance failed; it runs again in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
