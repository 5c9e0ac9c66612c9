using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Leases;

namespace Papers.Api.Backlogs;

/// <summary>
/// The loop that carries a change to every stored paper (<see cref="BacklogOptions"/>): each pass
/// sends up to a batch of requests through the outbox, in one transaction with the rows that
/// remember them, so a replica that dies mid-run leaves nothing half done and the next pass (on
/// any replica) resumes from the rows. One replica passes at a time, under the lease
/// <see cref="Job"/>; the others skip the round (every replica tries each round, so the work goes
/// on when the one that passed last is gone).
/// </summary>
public abstract class BacklogSweeper(ClusterLease<ApiDbContext> lease, WakeSignal signal, BacklogOptions options, TimeProvider clock, ILogger logger)
    : BackgroundService
{
    /// <summary>The clock a pass reads "now" from.</summary>
    protected TimeProvider Clock => clock;

    protected ILogger Logger => logger;

    /// <summary>Passes tried again at once when a consumer updated one of the chosen rows meanwhile.</summary>
    private const int ConflictAttempts = 3;

    /// <summary>The lease's name.</summary>
    protected abstract string Job { get; }

    /// <summary>One pass in a fresh scope: requests up to a batch; returns how many.</summary>
    protected abstract Task<int> SweepOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await SweepAsync(stoppingToken) == options.BatchSize)
                    continue;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "A {Job} pass failed; retrying", Job);
            }
            try
            {
                await signal.WaitAsync(options.PollInterval, stoppingToken);
                // Let answers gather, so a pass fills many free places rather than one.
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass, if this replica holds the lease; returns how many requests it sent (0 when another replica is passing).</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken) =>
        (await lease.RunOnceAsync(Job, occurrence: null, SweepUnderLeaseAsync, cancellationToken)).Value;

    private async Task<int> SweepUnderLeaseAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SweepOnceAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (attempt < ConflictAttempts)
            {
                // A consumer's answer landed on a chosen row between the read and the write (its
                // revision moved): read the backlog again.
                logger.LogDebug("A {Job} pass met a concurrent update; passing again", Job);
            }
        }
    }
}
