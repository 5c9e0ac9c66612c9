using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;

namespace Papers.ServiceDefaults.Data;

/// <summary>Brings one service database to the current schema.</summary>
public interface IDatabaseMigrator
{
    string Name { get; }

    Task MigrateAsync(CancellationToken cancellationToken);
}

/// <summary>
/// PostgreSQL gets the checked-in EF Core migrations (one database per service, created if
/// missing); SQLite, the embedded default, gets the schema created from the model and WAL mode
/// so the service's readers don't block its writer.
/// </summary>
internal sealed class DatabaseMigrator<TContext>(IServiceScopeFactory scopes, ILogger<DatabaseMigrator<TContext>> logger) : IDatabaseMigrator
    where TContext : DbContext
{
    public string Name => typeof(TContext).Name;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        if (db.Database.IsSqlite())
        {
            await db.Database.EnsureCreatedAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await CheckSqliteSchemaAsync(db, cancellationToken);
        }
        else
        {
            // Replicas migrating on start, and every service migrating the shared identity database,
            // race to create the database or to apply the same migration (each migration runs in a
            // transaction, so the loser's is rolled back). The loser sees the winner's work when it
            // tries again: duplicate database, schema, table, column or object; a column already gone.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                    await db.Database.MigrateAsync(cancellationToken);
                    if (pending.Count > 0)
                        logger.LogInformation("Applied migrations to {Context}: {Migrations}", Name, string.Join(", ", pending));
                    break;
                }
                catch (Npgsql.PostgresException ex) when (attempt < 5 && ex.SqlState is "42P04" or "42P06" or "42P07" or "42701" or "42703" or "42710" or "23505")
                {
                    logger.LogInformation("Another process is migrating {Context} ({State}); trying again", Name, ex.SqlState);
                    await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), cancellationToken);
                }
            }
        }
        logger.LogInformation("Database for {Context} ready ({Provider})", Name, db.Database.ProviderName);
    }

    /// <summary>
    /// SQLite files are created from the model once and never migrated: a file made by an older
    /// version lacks newer tables or columns. Fail start-up naming the file, instead of failing
    /// requests later.
    /// </summary>
    private static async Task CheckSqliteSchemaAsync(TContext db, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var table in db.Model.GetRelationalModel().Tables)
        {
            var columns = await db.Database.SqlQuery<string>($"SELECT name AS \"Value\" FROM pragma_table_info({table.Name})").ToListAsync(cancellationToken);
            if (columns.Count == 0)
                missing.Add(table.Name);
            else
                missing.AddRange(table.Columns.Where(c => !columns.Contains(c.Name)).Select(c => $"{table.Name}.{c.Name}"));
        }
        if (missing.Count > 0)
        {
            // Columns missing from tables the file has say most plainly which version made it: name them before whole new tables.
            var shown = missing.OrderBy(m => m.Contains('.') ? 0 : 1).Take(5);
            var more = missing.Count > 5 ? $" and {missing.Count - 5} more" : "";
            throw new InvalidOperationException(
                $"The SQLite database {db.Database.GetDbConnection().DataSource} was made by an older version of Papers: it lacks {string.Join(", ", shown)}{more}. " +
                "The embedded default does not migrate its files: delete them (services/Local/data/ by default) to start afresh, or use PostgreSQL, which is migrated.");
        }
    }
}

/// <summary>
/// Migrates (unless <c>Database:MigrateOnStart</c> is off) while the host is starting, before any
/// hosted service's StartAsync — the bus's included — whatever the order they were registered in;
/// and refuses to start when the context records outbox events that no relay would publish, or
/// lacks the <c>job_runs</c> table its leases need.
/// </summary>
internal sealed class DatabaseInitializer<TContext>(IEnumerable<IDatabaseMigrator> migrators, DatabaseOptions options, IServiceProvider services) : IHostedLifecycleService
    where TContext : DbContext
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            if (db.Model.FindEntityType(typeof(OutboxMessage)) is not null && services.GetService<OutboxRelay<TContext>>() is null)
                throw new InvalidOperationException($"{typeof(TContext).Name} has an outbox but no relay publishes it: call AddOutbox<{typeof(TContext).Name}>().");
            if (db.Model.FindEntityType(typeof(OutboxMessage)) is not null && db.Model.FindEntityType(typeof(JobRun)) is null)
                throw new InvalidOperationException($"{typeof(TContext).Name} has an outbox but no job_runs table for the leases its cleanup runs under: call model.AddLeases() in its OnModelCreating.");
        }
        if (options.MigrateOnStart)
            await migrators.Single(m => m.Name == typeof(TContext).Name).MigrateAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
