using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;

namespace Papers.ServiceDefaults.Data;

public static class DataExtensions
{
    /// <summary>
    /// Registers a service's own DbContext with the provider from <c>Database:Provider</c> (the one
    /// place it is chosen), a readiness health check and schema creation at start-up (before any
    /// hosted service starts, the bus included). A context whose transactions record events also
    /// needs <see cref="AddOutbox{TContext}"/>; start-up fails without it.
    /// </summary>
    /// <param name="serviceName">Names the SQLite file and the connection string to look for.</param>
    /// <param name="sharedConnectionString">Whether <c>ConnectionStrings:Papers</c> may stand in for
    /// <c>ConnectionStrings:&lt;serviceName&gt;</c> (a service's own database); not for a database
    /// every service shares, which must be named.</param>
    public static IHostApplicationBuilder AddServiceDbContext<TContext>(this IHostApplicationBuilder builder, string serviceName, bool sharedConnectionString = true)
        where TContext : DbContext
    {
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = ConnectionString(builder.Configuration, options, serviceName, sharedConnectionString);

        builder.Services.AddSingleton<OutboxSignal<TContext>>();
        builder.Services.AddDbContext<TContext>((sp, db) =>
        {
            switch (options.Provider)
            {
                case DatabaseProvider.Sqlite:
                    db.UseSqlite(connectionString);
                    break;
                case DatabaseProvider.Postgres:
                    db.UseNpgsql(connectionString, o => o.EnableRetryOnFailure());
                    break;
                default:
                    throw new InvalidOperationException($"Database:Provider '{options.Provider}' is not supported; use Sqlite or Postgres.");
            }
            db.AddInterceptors(new OutboxSavedInterceptor(sp.GetRequiredService<OutboxSignal<TContext>>()));
        });
        var check = $"{serviceName}-database";
        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>(check, tags: [Extensions.ReadyTag]);
        // An unreachable PostgreSQL makes the connection attempt hang (connect timeout, retries):
        // readiness must answer "no" promptly instead.
        builder.Services.Configure<HealthCheckServiceOptions>(o => o.Registrations.Single(r => r.Name == check).Timeout = TimeSpan.FromSeconds(3));
        builder.Services.TryAddSingleton(options);
        // The service's cluster-wide leases, on its own database (job_runs: see LeaseModel.AddLeases).
        builder.Services.AddClusterLease<TContext>(options.Provider == DatabaseProvider.Postgres ? LeaseLocks.Postgres(connectionString) : LeaseLocks.InProcess());
        builder.Services.AddSingleton<IDatabaseMigrator, DatabaseMigrator<TContext>>();
        builder.Services.AddHostedService<DatabaseInitializer<TContext>>();
        return builder;
    }

    /// <summary>
    /// The relay that publishes the events <typeparamref name="TContext"/>'s transactions recorded
    /// in its <c>outbox_messages</c> table (see <see cref="OutboxModel.AddOutbox"/>), and the
    /// cleanup that deletes sent rows after <c>Outbox:KeepSentFor</c>.
    /// </summary>
    public static IHostApplicationBuilder AddOutbox<TContext>(this IHostApplicationBuilder builder)
        where TContext : DbContext
    {
        builder.Services.TryAddSingleton(builder.Configuration.GetSection(OutboxOptions.Section).Get<OutboxOptions>() ?? new OutboxOptions());
        builder.Services.AddSingleton<OutboxRelay<TContext>>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay<TContext>>());
        builder.Services.AddSingleton<OutboxCleanup<TContext>>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxCleanup<TContext>>());
        return builder;
    }

    private static string ConnectionString(IConfiguration configuration, DatabaseOptions options, string serviceName, bool shared)
    {
        var configured = configuration.GetConnectionString(serviceName) ?? (shared ? configuration.GetConnectionString("Papers") : null);
        if (options.Provider == DatabaseProvider.Postgres)
            return configured ?? throw new InvalidOperationException(shared
                ? $"Database:Provider is Postgres but neither ConnectionStrings:{serviceName} nor ConnectionStrings:Papers is set."
                : $"Database:Provider is Postgres but ConnectionStrings:{serviceName} (the database every service shares) is not set.");
        if (configured is not null)
            return configured;
        var directory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(directory);
        return $"Data Source={Path.Combine(directory, serviceName.ToLowerInvariant() + ".db")}";
    }
}
