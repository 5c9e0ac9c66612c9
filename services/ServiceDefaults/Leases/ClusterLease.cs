using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Papers.ServiceDefaults.Data;

namespace Papers.ServiceDefaults.Leases;

/// <summary>What <see cref="ClusterLease{TContext}.RunOnceAsync{T}"/> did.</summary>
public enum LeaseOutcome
{
    /// <summary>This replica held the lease and ran the work.</summary>
    Ran,

    /// <summary>The occurrence had been completed already (by this or another replica): nothing ran.</summary>
    AlreadyDone,

    /// <summary>Another replica (or another run in this process) holds the lease now: nothing ran.</summary>
    Busy,
}

/// <summary>The outcome, and what the work returned when it <see cref="LeaseOutcome.Ran"/>.</summary>
public readonly record struct LeaseResult<T>(LeaseOutcome Outcome, T? Value);

/// <summary>The lease was lost while the work ran (the database connection that held it broke): the work was cancelled.</summary>
public sealed class LeaseLostException(string job, Exception inner)
    : Exception($"The lease on {job} was lost while the work ran (its database connection broke); the work was cancelled.", inner);

/// <summary>
/// The one way a service makes something happen once across its replicas: a scheduled harvest, a
/// digest run, a re-enrichment sweep, the outbox cleanup. <see cref="RunOnceAsync{T}"/> runs the
/// work only while holding the job's lease — a PostgreSQL advisory lock on the service's own
/// database (<see cref="LeaseLocks.Postgres"/>), held on a connection, so it is released when
/// the holder's process dies — and, for a named occurrence (a cron time), only if no replica
/// completed that occurrence before (<c>job_runs</c>). A replica that finds the lease taken does
/// not wait: it gets <see cref="LeaseOutcome.Busy"/> (the holder is doing the work).
/// </summary>
/// <remarks>
/// If the lease's connection breaks while the work runs, the work's token is cancelled and
/// <see cref="LeaseLostException"/> is thrown, so two replicas never keep working under one lease.
/// An occurrence is recorded only when its work returns; one whose holder died is not retried by
/// the others (as with a single replica, the next occurrence comes).
/// </remarks>
public sealed class ClusterLease<TContext>(IServiceScopeFactory scopes, LeaseLocks locks, TimeProvider clock, ILogger<ClusterLease<TContext>> logger)
    where TContext : DbContext
{
    /// <summary>Completed occurrences are remembered this long (then deleted when the job next completes one).</summary>
    public static readonly TimeSpan KeepRunsFor = TimeSpan.FromDays(90);

    private static readonly string Holder = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>
    /// Runs <paramref name="work"/> if this replica gets <paramref name="job"/>'s lease and, when
    /// <paramref name="occurrence"/> is given, no one completed that occurrence yet. Without an
    /// occurrence (a run an operator asked for) runs only exclude each other.
    /// </summary>
    /// <param name="job">The job's name; one lease per name in the service's database.</param>
    /// <param name="occurrence">Which occurrence (<c>2026-11-30T07:00Z</c>), or null.</param>
    /// <param name="work">Gets a token cancelled when <paramref name="cancellationToken"/> is, or when the lease is lost.</param>
    public async Task<LeaseResult<T>> RunOnceAsync<T>(string job, string? occurrence, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(job);
        await using var handle = await locks.TryAcquireAsync($"{typeof(TContext).Name}:{job}", cancellationToken);
        if (handle is null)
        {
            logger.LogDebug("{Job}{Occurrence}: another replica holds the lease; not running it here", job, Describe(occurrence));
            return new LeaseResult<T>(LeaseOutcome.Busy, default);
        }
        if (occurrence is not null && await CompletedAsync(job, occurrence, cancellationToken) is { } done)
        {
            logger.LogInformation("{Job}{Occurrence}: already done by {Holder} at {CompletedAt:u}", job, Describe(occurrence), done.Holder, done.CompletedAt);
            return new LeaseResult<T>(LeaseOutcome.AlreadyDone, default);
        }

        var startedAt = clock.GetUtcNow().UtcDateTime;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, handle.Lost);
        T value;
        try
        {
            value = await work(linked.Token);
        }
        catch (OperationCanceledException ex) when (handle.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new LeaseLostException(job, ex);
        }
        if (occurrence is not null)
            await RecordAsync(job, occurrence, startedAt, CancellationToken.None);
        return new LeaseResult<T>(LeaseOutcome.Ran, value);
    }

    /// <inheritdoc cref="RunOnceAsync{T}"/>
    public async Task<LeaseOutcome> RunOnceAsync(string job, string? occurrence, Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        (await RunOnceAsync(job, occurrence, async ct =>
        {
            await work(ct);
            return true;
        }, cancellationToken)).Outcome;

    /// <summary>The completed run of this occurrence, if any.</summary>
    public async Task<JobRun?> CompletedAsync(string job, string occurrence, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        return await db.Set<JobRun>().AsNoTracking().SingleOrDefaultAsync(r => r.Job == job && r.Occurrence == occurrence, cancellationToken);
    }

    private async Task RecordAsync(string job, string occurrence, DateTime startedAt, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        db.Set<JobRun>().Add(new JobRun { Job = job, Occurrence = occurrence, StartedAt = startedAt, CompletedAt = now, Holder = Holder });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsConflict())
        {
            // Only possible if the lease was lost and another replica ran the occurrence too.
            logger.LogWarning("{Job}{Occurrence}: another replica recorded this occurrence as well", job, Describe(occurrence));
        }
        var forgetBefore = now - KeepRunsFor;
        await db.Set<JobRun>().Where(r => r.Job == job && r.CompletedAt < forgetBefore).ExecuteDeleteAsync(cancellationToken);
    }

    private static string Describe(string? occurrence) => occurrence is null ? "" : $" ({occurrence})";
}

public static class ClusterLeaseExtensions
{
    /// <summary>
    /// Registers <see cref="ClusterLease{TContext}"/> on <paramref name="locks"/>. <c>AddServiceDbContext</c>
    /// does this for every service (locks from <c>Database:Provider</c>); hosts composed by hand (tests) call it themselves.
    /// </summary>
    public static IServiceCollection AddClusterLease<TContext>(this IServiceCollection services, LeaseLocks locks)
        where TContext : DbContext =>
        services.AddSingleton(sp => new ClusterLease<TContext>(sp.GetRequiredService<IServiceScopeFactory>(), locks,
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<ClusterLease<TContext>>>()));
}
