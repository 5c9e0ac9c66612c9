using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Security;

namespace Papers.ServiceDefaults;

public static class Commands
{
    /// <summary>
    /// Runs the service; or with <c>migrate</c> brings its database(s) to the current schema and
    /// exits without touching the broker (the Helm pre-upgrade hook runs this); or with
    /// <c>keys …</c> manages API keys in the shared identity database (<see cref="KeysCommand"/>).
    /// A setting that fails validation stops the service before it starts: one line naming the
    /// setting and its value on stderr, exit code 2 (<see cref="BadSettings"/>).
    /// </summary>
    public static async Task<int> RunAsync(this WebApplication app, string[] args)
    {
        if (args is ["migrate", ..])
        {
            foreach (var migrator in app.Services.GetServices<IDatabaseMigrator>())
                await migrator.MigrateAsync(CancellationToken.None);
            return 0;
        }
        if (args is ["keys", .. var rest])
        {
            var options = app.Services.GetRequiredService<DatabaseOptions>();
            if (options.MigrateOnStart)
                await app.Services.GetServices<IDatabaseMigrator>().Single(m => m.Name == nameof(AccessDbContext)).MigrateAsync(CancellationToken.None);
            // Configuration given on the command line (--Database:DataDirectory=…) is the host's, not the command's.
            var own = rest.Where(a => !(a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal))).ToArray();
            return await KeysCommand.RunAsync(app.Services, own, Console.Out, Console.Error);
        }
        if (await BadSettings.CheckAsync(app.Services, app.Environment.ApplicationName, Console.Error) is { } exit)
            return exit;
        await app.RunAsync();
        return 0;
    }
}
