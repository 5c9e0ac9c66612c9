using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Papers.ServiceDefaults.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build a service's context for PostgreSQL without the host.
/// Migrations are PostgreSQL's only: the embedded default creates its SQLite schema from the model.
/// </summary>
public abstract class PostgresDesignTimeFactory<TContext> : IDesignTimeDbContextFactory<TContext>
    where TContext : DbContext
{
    public TContext CreateDbContext(string[] args) =>
        (TContext)Activator.CreateInstance(typeof(TContext),
            new DbContextOptionsBuilder<TContext>().UseNpgsql("Host=localhost;Database=design_time").Options)!;
}
