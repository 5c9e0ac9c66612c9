using Microsoft.EntityFrameworkCore;
using Papers.Ingest.Apis;
using Papers.Ingest.Data;

namespace Papers.Ingest.Commands;

/// <summary>
/// <c>quarantine [--source KEY] [--content]</c>: lists the harvested records that could not be read
/// (newest first): source, record id, when, and why; with <c>--content</c> also each record as
/// received. Configuration is the service's own (database).
/// Exit codes: 0 listed (also when there is nothing to list), 2 usage or configuration error.
/// </summary>
public static class QuarantineCommand
{
    public const string Usage = "usage: quarantine [--source arxiv-oai:arXivRaw:*] [--content]";

    /// <param name="configure">Extra configuration sources, for tests.</param>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Action<IConfigurationBuilder>? configure = null) =>
        CommandHost.RunAsync("quarantine", error, configure, async host =>
        {
            string? source = null;
            var content = false;
            for (var i = 1; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--source" when i + 1 < args.Length && !string.IsNullOrWhiteSpace(args[i + 1]):
                        source = args[++i];
                        break;
                    case "--content":
                        content = true;
                        break;
                    default:
                        await error.WriteLineAsync($"quarantine: unknown or incomplete option '{args[i]}'.{Environment.NewLine}{Usage}");
                        return 2;
                }
            }

            await host.StartAsync();
            try
            {
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<IngestDbContext>();
                var query = db.Quarantine.AsNoTracking();
                if (source is not null)
                    query = query.Where(r => r.Source == source);
                var rows = await query.OrderByDescending(r => r.QuarantinedAt).ThenBy(r => r.Source).ThenBy(r => r.RecordId).ToListAsync();
                foreach (var row in rows)
                {
                    var status = row.ToStatus();
                    await output.WriteLineAsync($"{status.QuarantinedAt:yyyy-MM-dd HH:mm:ss}Z  {status.Source}  {status.RecordId}: {status.Reason}");
                    if (content && row.Content is not null)
                        await output.WriteLineAsync("    " + row.Content.ReplaceLineEndings(Environment.NewLine + "    "));
                }

                await output.WriteLineAsync($"quarantine: {rows.Count} {(rows.Count == 1 ? "record" : "records")}" + (source is null ? string.Empty : $" from {source}"));
                return 0;
            }
            finally
            {
                await host.StopAsync();
            }
        });
}
