using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Papers.ServiceDefaults.Data;

namespace Papers.ServiceDefaults;

public static class Commands
{
    /// <summary>
    /// Runs the service, or with <c>migrate</c> brings its database(s) to the current schema and
    /// exits without touching the broker (the Helm pre-upgrade hook runs this).
    /// </summary>
    public static async Task<int> RunAsync(this WebApplication app, string[] args)
    {
        if (args is ["migrate", ..])
        {
            foreach (var migrator in app.Services.GetServices<IDatabaseMigrator>())
                await migrator.MigrateAsync(CancellationToken.None);
            return 0;
        }
        await app.RunAsync();
        return 0;
    }
}
