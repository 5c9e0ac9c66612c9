using Cronos;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Ingest.Data;
using Papers.Ingest.Sources;
using Papers.ServiceDefaults.Leases;

namespace Papers.Ingest.Harvest;

/// <summary>
/// Runs one source's harvest on its cron schedule (UTC), each run in its own scope, and logs a
/// summary per run. A source is off — the service then never calls it — when its <c>BaseUrl</c>
/// or <c>Cron</c> is empty; both are empty in the embedded default. Every Ingest replica wakes at
/// each occurrence; the source's lease (<see cref="Job"/>) lets one of them harvest, and the
/// occurrence is recorded, so a replica that wakes late does not harvest it again.
/// </summary>
public abstract class ScheduledHarvest(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>The longest single wait; a far-off occurrence is reached in steps of this.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    public abstract string Name { get; }

    /// <summary>The lease of this source's harvests, scheduled or on demand (the <c>harvest</c> command takes it too).</summary>
    public abstract string Job { get; }

    /// <summary>When runs happen; null when the source is off.</summary>
    public abstract CronExpression? Schedule { get; }

    protected abstract Task<IReadOnlyList<HarvestRunSummary>> RunOnceAsync(IServiceProvider services, CancellationToken ct);

    /// <summary>The schedule of a source with this endpoint and cron, or null when it is off.</summary>
    public static CronExpression? ScheduleOf(Uri? baseUrl, string? cron) =>
        baseUrl is null || string.IsNullOrWhiteSpace(cron) ? null : CronExpression.Parse(cron);

    /// <summary>The next run after <paramref name="now"/>, or null when there is none.</summary>
    public DateTimeOffset? NextRun(DateTimeOffset now) => Schedule?.GetNextOccurrence(now, TimeZoneInfo.Utc);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Schedule is null)
        {
            logger.LogInformation("{Name}: off (set its BaseUrl and Cron to schedule it)", Name);
            return;
        }

        await RememberLagAsync(stoppingToken);
        while (NextRun(clock.GetUtcNow()) is { } next)
        {
            logger.LogInformation("{Name}: next run at {Next:u}", Name, next);
            for (var wait = next - clock.GetUtcNow(); wait > TimeSpan.Zero; wait = next - clock.GetUtcNow())
                await Task.Delay(wait < MaxWait ? wait : MaxWait, clock, stoppingToken);
            try
            {
                var occurrence = Occurrences.At(next);
                var run = await lease.RunOnceAsync(Job, occurrence, async ct =>
                {
                    await using var scope = scopes.CreateAsyncScope();
                    return await RunOnceAsync(scope.ServiceProvider, ct);
                }, stoppingToken);
                if (run.Outcome != LeaseOutcome.Ran)
                    logger.LogInformation("{Name}: the run of {Occurrence} is not run here: {Outcome}", Name, occurrence,
                        run.Outcome == LeaseOutcome.Busy ? "another replica is harvesting" : "already done");
                foreach (var summary in run.Value ?? [])
                {
                    if (summary.Succeeded)
                        logger.LogInformation("{Name}: {Summary}", Name, summary.ToString());
                    else
                        logger.LogWarning("{Name}: {Summary}: {Failures}", Name, summary.ToString(), string.Join("; ", summary.Failures));
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "{Name}: run failed; trying again at the next scheduled time", Name);
            }
        }
    }

    /// <summary>Seeds the lag gauge from the saved cursors, so it is right before the first run.</summary>
    private async Task RememberLagAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IngestDbContext>();
            foreach (var row in await db.HarvestCursors.AsNoTracking().ToListAsync(ct))
                HarvestMetrics.Observe(row.ToCursor());
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The gauge fills in after the first run; the schedule itself must not stop for this.
            logger.LogWarning(ex, "{Name}: could not read the saved harvest cursors", Name);
        }
    }
}

/// <summary>The scheduled arXiv OAI-PMH harvest (<c>Sources:ArxivOai:Cron</c>).</summary>
public sealed class OaiHarvestSchedule(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, IOptions<ArxivOaiOptions> options, TimeProvider clock, ILogger<OaiHarvestSchedule> logger)
    : ScheduledHarvest(scopes, lease, clock, logger)
{
    /// <summary>One arXiv OAI-PMH harvest at a time across replicas and commands (arXiv asks for one client at a time, too).</summary>
    public const string JobName = "harvest:arxiv-oai";

    public override string Name => "arXiv OAI-PMH harvest";

    public override string Job => JobName;

    public override CronExpression? Schedule { get; } = ScheduleOf(options.Value.BaseUrl, options.Value.Cron);

    protected override Task<IReadOnlyList<HarvestRunSummary>> RunOnceAsync(IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredService<OaiHarvestJob>().RunScheduledAsync(ct);
}

/// <summary>The scheduled harvest of a Dublin Core repository (<c>Sources:OaiDc:Cron</c>).</summary>
public sealed class OaiDcHarvestSchedule(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, IOptions<OaiDcOptions> options, TimeProvider clock, ILogger<OaiDcHarvestSchedule> logger)
    : ScheduledHarvest(scopes, lease, clock, logger)
{
    public const string JobName = "harvest:oai-dc";

    public override string Name => "OAI-PMH Dublin Core harvest";

    public override string Job => JobName;

    public override CronExpression? Schedule { get; } = ScheduleOf(options.Value.BaseUrl, options.Value.Cron);

    protected override Task<IReadOnlyList<HarvestRunSummary>> RunOnceAsync(IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredKeyedService<OaiHarvestJob>(OaiDcOptions.Section).RunScheduledAsync(ct);
}

/// <summary>The scheduled read of the arXiv listing feed of the configured categories (<c>Sources:ArxivFeed:Cron</c>).</summary>
public sealed class ArxivFeedSchedule(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, IOptions<ArxivFeedOptions> options, TimeProvider clock, ILogger<ArxivFeedSchedule> logger)
    : ScheduledHarvest(scopes, lease, clock, logger)
{
    public const string JobName = "harvest:arxiv-feed";

    public override string Name => "arXiv listing feed";

    public override string Job => JobName;

    public override CronExpression? Schedule { get; } = options.Value.Categories.Length == 0 ? null : ScheduleOf(options.Value.BaseUrl, options.Value.Cron);

    protected override async Task<IReadOnlyList<HarvestRunSummary>> RunOnceAsync(IServiceProvider services, CancellationToken ct) =>
        [await services.GetRequiredService<ArxivFeedJob>().RunAsync(ct)];
}

/// <summary>The scheduled Hugging Face daily papers import of the current day (<c>Sources:HfDaily:Cron</c>).</summary>
public sealed class HfDailySchedule(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, IOptions<HfDailyOptions> options, TimeProvider clock, ILogger<HfDailySchedule> logger)
    : ScheduledHarvest(scopes, lease, clock, logger)
{
    /// <summary>One import of the daily papers at a time (they share the <c>hf-daily</c> cursor).</summary>
    public const string JobName = "harvest:hf-daily";

    public override string Name => "Hugging Face daily papers import";

    public override string Job => JobName;

    public override CronExpression? Schedule { get; } = ScheduleOf(options.Value.BaseUrl, options.Value.Cron);

    protected override async Task<IReadOnlyList<HarvestRunSummary>> RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var job = services.GetRequiredService<HfDailyJob>();
        return [await job.RunAsync(job.Today(), ct)];
    }
}
