using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Papers.ServiceDefaults.Leases;
using Papers.TestSupport;

namespace Papers.Api.Tests;

/// <summary>
/// ServiceDefaults' <see cref="ScheduledJob"/>, the loop under the scheduled harvests and
/// retraining, on a fake clock: a far-off occurrence is waited for and run once, and a failed run
/// waits for the next occurrence rather than trying again at once.
/// </summary>
public sealed class ScheduledJobTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private sealed class CountingJob(IServiceScopeFactory scopes, string cron, TimeProvider clock, ILogger logger, bool fail = false)
        : ScheduledJob(scopes, ParseCron(cron), "counting job", "no cron", clock, logger)
    {
        public List<string> Runs { get; } = [];

        protected override Task<LeaseOutcome> RunAsync(IServiceProvider services, string occurrence, CancellationToken cancellationToken)
        {
            lock (Runs)
                Runs.Add(occurrence);
            return fail ? throw new InvalidOperationException("the job broke") : Task.FromResult(LeaseOutcome.Ran);
        }
    }

    private static (CountingJob Job, CapturedLogs Logs) Start(string cron, FakeTimeProvider clock, bool fail = false)
    {
        var logs = new CapturedLogs();
        var scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
        var job = new CountingJob(scopes, cron, clock, logs.CreateLogger("job"), fail);
        return (job, logs);
    }

    [Fact]
    public async Task A_yearly_job_waits_past_the_timer_limit_and_runs_its_occurrence_once()
    {
        // 2027-01-01 is 334 days away: more than a timer takes in one wait (about 49.7 days).
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero));
        var (job, logs) = Start("0 6 1 1 *", clock);
        await job.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => Task.FromResult(logs.Of("job").Any(m => m.Contains("next run at 2027-01-01 06:00:00Z", StringComparison.Ordinal))),
            Patience, "the job to wait for 2027-01-01");

        for (var day = 0; day < 400 && job.Runs.Count == 0; day++)
        {
            clock.Advance(TimeSpan.FromDays(1));
            await Task.Yield();
        }
        await Eventually.UntilAsync(() => Task.FromResult(logs.Of("job").Any(m => m.Contains("next run at 2028-01-01 06:00:00Z", StringComparison.Ordinal))),
            Patience, "the job to run and wait for 2028-01-01");
        await job.StopAsync(CancellationToken.None);

        Assert.Equal(["2027-01-01T06:00Z"], job.Runs);
        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_failed_run_is_logged_and_the_next_occurrence_comes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 5, 59, 0, TimeSpan.Zero));
        var (job, logs) = Start("0 6 * * *", clock, fail: true);
        await job.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => Task.FromResult(logs.Of("job").Any(m => m.Contains("next run at 2026-11-30 06:00:00Z", StringComparison.Ordinal))),
            Patience, "the job to wait for 06:00");

        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.UntilAsync(() => Task.FromResult(logs.Of("job").Any(m => m.Contains("next run at 2026-12-01 06:00:00Z", StringComparison.Ordinal))),
            Patience, "the job to fail and wait for the next day");
        await job.StopAsync(CancellationToken.None);

        Assert.Equal(["2026-11-30T06:00Z"], job.Runs);
        Assert.Single(logs.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("run failed", StringComparison.Ordinal));
    }
}
