using Papers.Analytics.Archive;
using Papers.Analytics.Replay;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Analytics.Commands;

/// <summary>
/// <c>replay --event-type PaperViewed --from 2026-11-01 --to 2026-11-30 --queue my-backfill</c>:
/// what <c>POST /api/analytics/replay</c> does, for an operator with a shell rather than an admin
/// key, under the same rules (<see cref="ReplayRules"/>: a named queue only, never a public
/// exchange or one of the archive's own queues). Configuration is the service's own (the
/// archive's folder and database, the broker). Exit codes: 0 replayed (the count is printed, 0
/// included), 1 the replay failed (broker or database unreachable…), 2 a usage error or a value
/// refused (the message names the option and the value).
/// </summary>
public static class ReplayCommand
{
    public const string Usage = "usage: replay --event-type <type> --from yyyy-MM-dd --to yyyy-MM-dd --queue <queue>";

    /// <summary>The request fields (as <see cref="ReplayRules"/> names them) and their options.</summary>
    private static readonly Dictionary<string, string> Options = new()
    {
        ["eventType"] = "--event-type",
        ["from"] = "--from",
        ["to"] = "--to",
        ["queue"] = "--queue",
    };

    /// <param name="args">The command line, <c>replay</c> first.</param>
    /// <param name="configure">Extra configuration sources, for tests.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Action<IConfigurationBuilder>? configure = null)
    {
        // Configuration on the command line (--Analytics:Root=…) is the host's, not the command's.
        static bool IsSetting(string arg) => arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains('=', StringComparison.Ordinal);
        var settings = args.Skip(1).Where(IsSetting).ToArray();
        var own = args.Skip(1).Where(a => !IsSetting(a)).ToArray();
        var given = new Dictionary<string, string>();
        for (var i = 0; i < own.Length; i += 2)
        {
            var field = Options.FirstOrDefault(o => o.Value == own[i]).Key;
            if (field is null || i + 1 == own.Length)
            {
                await error.WriteLineAsync($"replay: {(field is null ? $"unknown option '{own[i]}'" : $"{own[i]} needs a value")}.{Environment.NewLine}{Usage}");
                return 2;
            }
            given[field] = own[i + 1];
        }

        var builder = Host.CreateApplicationBuilder(settings);
        configure?.Invoke(builder.Configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        ArchivedTypes types;
        try
        {
            types = builder.AddAnalyticsArchive();
        }
        catch (InvalidOperationException e)
        {
            await error.WriteLineAsync($"replay: bad setting: {e.Message}");
            return 2;
        }
        if (ReplayRules.Check(types, given.GetValueOrDefault("eventType"), given.GetValueOrDefault("from"), given.GetValueOrDefault("to"), given.GetValueOrDefault("queue"), out var problem) is not { } plan)
        {
            await error.WriteLineAsync($"replay: {Options[problem.Field]}: {problem.Message}{Environment.NewLine}{Usage}");
            return 2;
        }
        builder.AddServiceDefaults();
        builder.AddMessaging();
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
            var sent = await host.Services.GetRequiredService<ArchiveReplay>().ReplayAsync(plan.Schema, plan.From, plan.To, plan.Queue, CancellationToken.None);
            await output.WriteLineAsync($"replay: {sent} {plan.Schema.Name} of {plan.From:yyyy-MM-dd}..{plan.To:yyyy-MM-dd} sent to queue {plan.Queue}");
            await host.StopAsync();
            return 0;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"replay: failed: {e.GetBaseException().Message}");
            return 1;
        }
    }
}
