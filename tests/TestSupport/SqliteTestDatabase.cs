using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Papers.TestSupport;

/// <summary>
/// A service's database in SQLite in memory, alive as long as this object, with the schema
/// created from the model as the embedded default creates it. Each <see cref="Context"/> is a
/// fresh DbContext on it, as a new scope (or a restart) would get; <see cref="Configure"/> points
/// a container's registration at it: <c>services.AddDbContext&lt;T&gt;(database.Configure)</c>.
/// </summary>
/// <typeparam name="TContext">A DbContext with a public constructor taking
/// <c>DbContextOptions&lt;TContext&gt;</c>, as every service's context has.</typeparam>
public sealed class SqliteTestDatabase<TContext> : IDisposable
    where TContext : DbContext
{
    // An in-memory database lives as long as its first connection stays open.
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public SqliteTestDatabase()
    {
        _connection.Open();
        using var db = Context();
        db.Database.EnsureCreated();
    }

    /// <summary>Uses this database, for <c>AddDbContext</c>.</summary>
    public void Configure(DbContextOptionsBuilder options) => options.UseSqlite(_connection);

    /// <summary>A new DbContext on this database, with these interceptors (a failing save, say).</summary>
    public TContext Context(params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<TContext>().UseSqlite(_connection).AddInterceptors(interceptors).Options;
        return (TContext)Activator.CreateInstance(typeof(TContext), options)!;
    }

    public void Dispose() => _connection.Dispose();
}
