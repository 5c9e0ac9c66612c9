using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Papers.ServiceDefaults.Leases;

namespace Papers.TestSupport;

/// <summary>
/// A service's database that several replicas (DbContexts with connections of their own) share:
/// a SQLite file, or a fresh PostgreSQL database migrated with the service's own migrations.
/// </summary>
public abstract class TestDatabase<TContext> : IAsyncDisposable
    where TContext : DbContext
{
    public abstract string Provider { get; }

    /// <summary>Points a registration (<c>AddDbContext</c>) at this database, with these interceptors.</summary>
    public abstract void Configure(DbContextOptionsBuilder options, params IInterceptor[] interceptors);

    /// <summary>The lease locks one replica uses: its own on PostgreSQL (a replica is a process); the one in-process lock on SQLite (the embedded default is one process).</summary>
    public abstract LeaseLocks ReplicaLocks();

    /// <summary>A new DbContext on its own connection.</summary>
    public TContext Context(params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<TContext>();
        Configure(options, interceptors);
        return (TContext)Activator.CreateInstance(typeof(TContext), options.Options)!;
    }

    public abstract ValueTask DisposeAsync();
}

/// <summary>A SQLite file (WAL, as the embedded default), schema from the model; deleted on dispose.</summary>
public sealed class SqliteFileTestDatabase<TContext> : TestDatabase<TContext>
    where TContext : DbContext
{
    private readonly string _directory = Directory.CreateTempSubdirectory("papers-sqlite-").FullName;
    private readonly LeaseLocks _locks = LeaseLocks.InProcess();

    private SqliteFileTestDatabase()
    {
    }

    public override string Provider => "SQLite";

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "test.db")}";

    public static async Task<SqliteFileTestDatabase<TContext>> CreateAsync()
    {
        var database = new SqliteFileTestDatabase<TContext>();
        await using var db = database.Context();
        await db.Database.EnsureCreatedAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        return database;
    }

    public override void Configure(DbContextOptionsBuilder options, params IInterceptor[] interceptors) =>
        options.UseSqlite(ConnectionString).AddInterceptors(interceptors);

    public override LeaseLocks ReplicaLocks() => _locks;

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A fresh database on the PostgreSQL server of <c>PAPERS_TEST_POSTGRES</c>, brought to the
/// current schema by the service's checked-in migrations; dropped on dispose.
/// </summary>
public sealed class PostgresTestDatabase<TContext> : TestDatabase<TContext>
    where TContext : DbContext
{
    private readonly string _server;
    private readonly string _name = $"papers_test_{Guid.NewGuid():N}";

    private PostgresTestDatabase(string server) => _server = server;

    public override string Provider => "PostgreSQL";

    public string ConnectionString => $"{_server};Database={_name}";

    /// <param name="migration">Stop at this migration (to test the next one on rows of the schema before it); null: the latest.</param>
    public static async Task<PostgresTestDatabase<TContext>> CreateAsync(string? migration = null)
    {
        var server = Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)
            ?? throw new InvalidOperationException($"{PostgresFactAttribute.Variable} is not set (use [PostgresFact]).");
        var database = new PostgresTestDatabase<TContext>(server);
        await using var db = database.Context();
        await db.Database.MigrateAsync(migration);
        return database;
    }

    public override void Configure(DbContextOptionsBuilder options, params IInterceptor[] interceptors) =>
        options.UseNpgsql(ConnectionString).AddInterceptors(interceptors);

    public override LeaseLocks ReplicaLocks() => LeaseLocks.Postgres(ConnectionString);

    /// <summary>Runs a statement on its own connection (not a DbContext's).</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection($"{_server};Database=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
