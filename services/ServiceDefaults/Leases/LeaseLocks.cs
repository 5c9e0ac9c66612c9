using System.Collections.Concurrent;
using Medallion.Threading.Postgres;

namespace Papers.ServiceDefaults.Leases;

/// <summary>A held lock of <see cref="LeaseLocks"/>; disposing releases it.</summary>
public interface ILeaseHandle : IAsyncDisposable
{
    /// <summary>Cancelled when the lock is lost before it is released (its connection broke).</summary>
    CancellationToken Lost { get; }
}

/// <summary>
/// The mutual exclusion under <see cref="ClusterLease{TContext}"/>: PostgreSQL advisory locks for a
/// cluster, an in-process lock for the embedded default.
/// </summary>
public abstract class LeaseLocks
{
    /// <summary>Takes the named lock if it is free; null when someone else holds it. Never waits for it.</summary>
    public abstract Task<ILeaseHandle?> TryAcquireAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Session-level advisory locks (DistributedLock.Postgres) on the service's own database: held
    /// by a connection of this process and released by PostgreSQL when that connection ends, so a
    /// replica that dies (SIGKILL, a lost node) never leaves a lease behind. Names are hashed to
    /// the 64-bit advisory key space of that database.
    /// </summary>
    public static LeaseLocks Postgres(string connectionString) => new PostgresLocks(connectionString);

    /// <summary>
    /// A lock per name in this process. Only for SQLite, the embedded default: one process runs
    /// every service by construction, so an in-process lock excludes every other runner there is.
    /// (Not a cluster guard: the <c>backfill</c> and <c>harvest</c> commands, run as a second
    /// process on the same SQLite files, are not excluded; clusters run PostgreSQL.)
    /// </summary>
    public static LeaseLocks InProcess() => new InProcessLocks();

    private sealed class PostgresLocks(string connectionString) : LeaseLocks
    {
        // Multiplexing (the default) holds many locks on one shared connection; a keepalive query
        // every minute keeps idle-connection reapers from ending it (and the lease with it).
        private readonly PostgresDistributedSynchronizationProvider _provider = new(connectionString, o => o.KeepaliveCadence(TimeSpan.FromMinutes(1)));

        public override async Task<ILeaseHandle?> TryAcquireAsync(string name, CancellationToken cancellationToken)
        {
            var handle = await _provider.CreateLock(new PostgresAdvisoryLockKey("papers-lease:" + name, allowHashing: true))
                .TryAcquireAsync(TimeSpan.Zero, cancellationToken);
            return handle is null ? null : new Handle(handle);
        }

        private sealed class Handle(PostgresDistributedLockHandle handle) : ILeaseHandle
        {
            public CancellationToken Lost => handle.HandleLostToken;

            public async ValueTask DisposeAsync()
            {
                try
                {
                    await handle.DisposeAsync();
                }
                catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException or IOException)
                {
                    // The connection that held the lock is broken; PostgreSQL released the lock when
                    // its session ended, so there is nothing left to release.
                }
            }
        }
    }

    private sealed class InProcessLocks : LeaseLocks
    {
        private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

        public override Task<ILeaseHandle?> TryAcquireAsync(string name, CancellationToken cancellationToken)
        {
            var gate = _locks.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
            return Task.FromResult<ILeaseHandle?>(gate.Wait(0, cancellationToken) ? new Handle(gate) : null);
        }

        private sealed class Handle(SemaphoreSlim gate) : ILeaseHandle
        {
            private int _released;

            public CancellationToken Lost => CancellationToken.None;

            public ValueTask DisposeAsync()
            {
                if (Interlocked.Exchange(ref _released, 1) == 0)
                    gate.Release();
                return ValueTask.CompletedTask;
            }
        }
    }
}
