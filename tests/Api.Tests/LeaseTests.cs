using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Papers.Api.Data;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;

namespace Papers.Api.Tests;

/// <summary>
/// The cluster-wide lease (ServiceDefaults' <see cref="ClusterLease{TContext}"/>) on the Api's
/// database, as two replicas use it: PostgreSQL advisory locks (each replica its own connection),
/// and the in-process lock of the embedded default; plus the outbox cleanup that runs under it.
/// </summary>
public sealed class LeaseTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private sealed class Replica(TestDatabase<ApiDbContext> database, TimeProvider? clock = null) : IAsyncDisposable
    {
        private readonly ServiceProvider _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(clock ?? TimeProvider.System)
            .AddDbContext<ApiDbContext>(o => database.Configure(o))
            .AddClusterLease<ApiDbContext>(database.ReplicaLocks())
            .BuildServiceProvider();

        public ClusterLease<ApiDbContext> Lease => _services.GetRequiredService<ClusterLease<ApiDbContext>>();

        public IServiceScopeFactory Scopes => _services.GetRequiredService<IServiceScopeFactory>();

        public ValueTask DisposeAsync() => _services.DisposeAsync();
    }

    [Fact]
    public async Task Sqlite_one_run_at_a_time_and_each_occurrence_once() =>
        await One_run_at_a_time_and_each_occurrence_once(await SqliteFileTestDatabase<ApiDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_one_run_at_a_time_and_each_occurrence_once() =>
        await One_run_at_a_time_and_each_occurrence_once(await PostgresTestDatabase<ApiDbContext>.CreateAsync());

    private static async Task One_run_at_a_time_and_each_occurrence_once(TestDatabase<ApiDbContext> database)
    {
        await using var _ = database;
        await using var a = new Replica(database);
        await using var b = new Replica(database);
        var holding = new TaskCompletionSource();
        var release = new TaskCompletionSource();

        var first = a.Lease.RunOnceAsync("digests", "2026-11-30T07:00Z", async ct =>
        {
            holding.SetResult();
            await release.Task.WaitAsync(ct);
            return "a";
        }, CancellationToken.None);
        await holding.Task.WaitAsync(Patience);

        var ran = 0;
        Task<string> Work(CancellationToken ct) => Task.FromResult($"b{Interlocked.Increment(ref ran)}");
        Assert.Equal(LeaseOutcome.Busy, (await b.Lease.RunOnceAsync("digests", "2026-11-30T07:00Z", Work, CancellationToken.None)).Outcome);
        Assert.Equal(LeaseOutcome.Busy, (await b.Lease.RunOnceAsync("digests", null, Work, CancellationToken.None)).Outcome);
        // Another job's lease is free.
        Assert.Equal(new LeaseResult<string>(LeaseOutcome.Ran, "b1"), await b.Lease.RunOnceAsync("reenrichment", null, Work, CancellationToken.None));

        release.SetResult();
        Assert.Equal(new LeaseResult<string>(LeaseOutcome.Ran, "a"), await first);
        Assert.Equal(LeaseOutcome.AlreadyDone, (await b.Lease.RunOnceAsync("digests", "2026-11-30T07:00Z", Work, CancellationToken.None)).Outcome);
        Assert.Equal(new LeaseResult<string>(LeaseOutcome.Ran, "b2"), await b.Lease.RunOnceAsync("digests", "2026-12-01T07:00Z", Work, CancellationToken.None));
        Assert.Equal(new LeaseResult<string>(LeaseOutcome.Ran, "b3"), await b.Lease.RunOnceAsync("digests", null, Work, CancellationToken.None));
        // The work ran for the other job, the new occurrence and the manual run; never while Busy or AlreadyDone.
        Assert.Equal(3, ran);

        await using var db = database.Context();
        Assert.Equal(["2026-11-30T07:00Z", "2026-12-01T07:00Z"], await db.Set<JobRun>().Where(r => r.Job == "digests").OrderBy(r => r.Occurrence).Select(r => r.Occurrence).ToListAsync());
    }

    [Fact]
    public async Task Sqlite_an_occurrence_whose_work_failed_is_not_done_and_the_lease_is_free_again() =>
        await An_occurrence_whose_work_failed_is_not_done_and_the_lease_is_free_again(await SqliteFileTestDatabase<ApiDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_an_occurrence_whose_work_failed_is_not_done_and_the_lease_is_free_again() =>
        await An_occurrence_whose_work_failed_is_not_done_and_the_lease_is_free_again(await PostgresTestDatabase<ApiDbContext>.CreateAsync());

    private static async Task An_occurrence_whose_work_failed_is_not_done_and_the_lease_is_free_again(TestDatabase<ApiDbContext> database)
    {
        await using var _ = database;
        await using var a = new Replica(database);
        await using var b = new Replica(database);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            a.Lease.RunOnceAsync("harvest:arxiv-oai", "2026-11-30T06:00Z", _ => throw new InvalidOperationException("arXiv said 503"), CancellationToken.None));

        Assert.Equal(LeaseOutcome.Ran, await b.Lease.RunOnceAsync("harvest:arxiv-oai", "2026-11-30T06:00Z", _ => Task.CompletedTask, CancellationToken.None));
    }

    [PostgresFact]
    public async Task Postgres_a_lease_whose_connection_dies_is_free_for_another_replica_and_its_work_is_cancelled()
    {
        await using var database = await PostgresTestDatabase<ApiDbContext>.CreateAsync();
        await using var a = new Replica(database);
        await using var b = new Replica(database);
        var holding = new TaskCompletionSource();

        var first = a.Lease.RunOnceAsync("reenrichment", null, async ct =>
        {
            holding.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }, CancellationToken.None);
        await holding.Task.WaitAsync(Patience);
        Assert.Equal(LeaseOutcome.Busy, await b.Lease.RunOnceAsync("reenrichment", null, _ => Task.CompletedTask, CancellationToken.None));

        // As when the holder's process dies or its node is lost: PostgreSQL ends the session that holds the lock.
        var killed = await database.ScalarAsync(
            "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()");
        Assert.Equal(1L, killed);

        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => first.WaitAsync(Patience));
        Assert.Contains("reenrichment", lost.Message);
        Assert.Equal(LeaseOutcome.Ran, await b.Lease.RunOnceAsync("reenrichment", null, _ => Task.CompletedTask, CancellationToken.None));
    }

    [Fact]
    public async Task The_outbox_cleanup_deletes_rows_sent_before_the_window_and_never_an_unsent_one()
    {
        await using var database = await SqliteFileTestDatabase<ApiDbContext>.CreateAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var db = database.Context())
        {
            db.Set<OutboxMessage>().AddRange(
                Row("sent two hours ago", now.AddHours(-3), sentAt: now.AddHours(-2)),
                Row("sent ten minutes ago", now.AddHours(-1), sentAt: now.AddMinutes(-10)),
                Row("unsent for three hours", now.AddHours(-3), sentAt: null));
            await db.SaveChangesAsync();
        }
        await using var replica = new Replica(database, clock);
        var cleanup = new OutboxCleanup<ApiDbContext>(replica.Scopes, replica.Lease, new OutboxOptions { KeepSentFor = TimeSpan.FromHours(1) }, clock,
            NullLogger<OutboxCleanup<ApiDbContext>>.Instance);

        Assert.Equal(1, await cleanup.CleanUpAsync(default));

        await using var check = database.Context();
        Assert.Equal(["sent ten minutes ago", "unsent for three hours"], await check.Set<OutboxMessage>().OrderBy(m => m.Id).Select(m => m.Body).ToListAsync());
        Assert.Equal(1, await check.Set<OutboxMessage>().CountAsync(m => m.SentAt == null));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await cleanup.CleanUpAsync(default));
        Assert.Equal("unsent for three hours", (await check.Set<OutboxMessage>().AsNoTracking().SingleAsync()).Body);
    }

    private static OutboxMessage Row(string body, DateTime createdAt, DateTime? sentAt) => new()
    {
        MessageId = Guid.NewGuid(),
        MessageType = "Papers.Contracts.PaperViewed",
        Body = body,
        CreatedAt = createdAt,
        NextAttemptAt = createdAt,
        SentAt = sentAt,
    };
}
