using Cronos;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Ingest.Data;
using Papers.Ingest.Sources;
using Papers.ServiceDefaults.Leases;

namespace Papers.Ingest.Harvest;

/// <summary>
/// Runs one source's harvest on its cron schedule (see <see cref="ScheduledJob"/>: one replica per
/// occurrence, under the source's lease <see cref="Job"/>) and logs a summary per run. A source is
/// off — the service then never calls it — when its <c>BaseUrl</c> or <c>Cron</c> is empty; both
/// are empty in the embedded default.
/// </summary>
/// <param name="job">The lease of this source's harvests, scheduled or on demand (the <c>harvest</c> command takes it too).</param>
public abstract class ScheduledHarvest(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, string name, string job, CronExpression? schedule, string section, TimeProvider clock, ILogger logger)
    : ScheduledJob(scopes, schedule, name, $"set {section}:BaseUrl and {section}:Cron to schedule it", clock, logger)
{
    public string Name => What;

    public string Job => job;

    protected abstract Task<IReadOnlyList<HarvestRunSummary>> RunOnceAsync(IServiceProvider services, CancellationToken ct);

    /// <summary>The schedule of a source with this endpoint and cron, or null when it is off.</summary>
    public static CronExpression? ScheduleOf(Uri? baseUrl, string? cron) => baseUrl is null ? null : ParseCron(cron);

    protected sealed override async Task<LeaseOutcome> RunAsync(IServiceProvider services, string occurrence, CancellationToken cancellationToken)
    {
        var run = await lease.RunOnceAsync(job, occurrence, ct => RunOnceAsync(services, ct), cancellationToken);
        foreach (var summary in run.Value ?? [])
        {
            if (summary.Succeeded)
                Logger.LogInformation("{Name}: {Summary}", Name, summary.ToString());
            else
                Logger.LogWarning("{Name}: {Summary}: {Failures}", Name, summary.ToString(), string.Join("; ", summary.Failures));
        }
        return run.Outcome;
    }

    /// <summary>Seeds the lag gauge from the saved cursors, so it is right before the first run.</summary>
    protected override async Task BeforeFirstRunAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = Scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IngestDbContext>();
            foreach (var row in await db.HarvestCursors.AsNoTracking().ToListAsync(ct))
                HarvestMetrics.Observe(row.ToCursor());
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The gauge fills in after the first run; the schedule itself must not stop for this.
            Logger.LogWarning(ex, "{Name}: could not read the saved harvest cursors", Name);
        }
    }
}

/// <summary>The scheduled arXiv OAI-PMH harvest (<c>Sources:ArxivOai:Cron</c>).</summary>
public sealed class OaiHarvestSchedule(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, IOptions<ArxivOaiOptions> options, TimeProvider clock, ILogger<OaiHarvestSchedule> logger)
    : ScheduledHarvest(scopes, lease, "arXiv OAI-PMH harvest", JobName, ScheduleOf(options.Value.BaseUrl, options.Value.Cron), ArxivOaiOptions.Section, clock, logger)
{
    /// <summary>One arXiv OAI-PMH harvest at a time across replicas and commands (arXiv asks for one client at a time, too).</summary>
    public const string JobName = "harvest:arxiv-oai";

    protected override Task<IReadOnlyList<HarvestRunSummary>> RunOnceAsync(IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredService<OaiHarvestJob>().RunScheduledAsync(ct);
}

/// <summary>The scheduled harvest of a Dublin Core repository (<c>Sources:OaiDc:Cron</c>).</summary>
public sealed class OaiDcHarvestSchedule(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, IOptions<OaiDcOptions> options, TimeProvider clock, ILogger<OaiDcHarvestSchedule> logger)
    : ScheduledHarvest(scopes, lease, "OAI-PMH Dublin Core harvest", JobName, ScheduleOf(options.Value.BaseUrl, options.Value.Cron), OaiDcOptions.Section, clock, logger)
{
    public const string JobName = "harvest:oai-dc";

    protected override Task<IReadOnlyList<HarvestRunSummary>> RunOnceAsync(IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredKeyedService<OaiHarvestJob>(OaiDcOptions.Section).RunScheduledAsync(ct);
}

/// <summary>The scheduled read of the arXiv listing feed of the configured categories (<c>Sources:ArxivFeed:Cron</c>).</summary>
public sealed class ArxivFeedSchedule(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, IOptions<ArxivFeedOptions> options, TimeProvider clock, ILogger<ArxivFeedSchedule> logger)
    : ScheduledHarvest(scopes, lease, "arXiv listing feed", JobName,
        options.Value.Categories.Length == 0 ? null : ScheduleOf(options.Value.BaseUrl, options.Value.Cron), ArxivFeedOptions.Section, clock, logger)
{
    public const string JobName = "harvest:arxiv-feed";

    protected override async Task<IReadOnlyList<HarvestRunSummary>> RunOnceAsync(IServiceProvider services, CancellationToken ct) =>
        [await services.GetRequiredService<ArxivFeedJob>().RunAsync(ct)];
}

/// <summary>The scheduled Hugging Face daily papers import of the current day (<c>Sources:HfDaily:Cron</c>).</summary>
public sealed class HfDailySchedule(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, IOptions<HfDailyOptions> options, TimeProvider clock, ILogger<HfDailySchedule> logger)
    : ScheduledHarvest(scopes, lease, "Hugging Face daily papers import", JobName, ScheduleOf(options.Value.BaseUrl, options.Value.Cron), HfDailyOptions.Section, clock, logger)
{
    /// <summary>One import of the daily papers at a time (they share the <c>hf-daily</c> cursor).</summary>
    public const string JobName = "harvest:hf-daily";

    protected override async Task<IReadOnlyList<HarvestRunSummary>> RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var job = services.GetRequiredService<HfDailyJob>();
        return [await job.RunAsync(job.Today(), ct)];
    }
}
