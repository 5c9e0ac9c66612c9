using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Papers.Ingest.Data;
using Papers.Ingest.Intake;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Ingest.Commands;

/// <summary>
/// <c>backfill &lt;file&gt; [--limit N] [--listed-on yyyy-MM-dd] [--api URL] [--timeout SECONDS]</c>:
/// pushes the papers of a file through the real pipeline (Ingest's database and outbox, the
/// configured broker) with a progress display; with <c>--api</c> it waits until the Api has every
/// paper enriched. Configuration is the Ingest service's own (environment variables, appsettings.json).
/// Exit codes: 0 done, 1 timed out or failed, 2 usage error.
/// </summary>
public static class BackfillCommand
{
    public const string Usage = "usage: backfill <file> [--limit N] [--listed-on yyyy-MM-dd] [--api http://api-host] [--timeout seconds]";

    private record Options(string File, int? Limit, DateOnly? ListedOn, Uri? Api, TimeSpan Timeout);

    public static async Task<int> RunAsync(string[] args)
    {
        if (!TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error + Environment.NewLine + Usage);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDefaults();
        builder.AddIngestIntake();
        builder.AddMessaging();
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(options.Timeout);
        var clock = Stopwatch.StartNew();
        await host.StartAsync(timeout.Token);
        try
        {
            var total = 0;
            var handedOn = 0;
            FileImportSummary summary;
            await using (var scope = host.Services.CreateAsyncScope())
            {
                using var display = new ProgressLine(() => $"handed on {handedOn}");
                summary = await scope.ServiceProvider.GetRequiredService<FileImport>().ImportAsync(
                    new ImportFile(options.File, options.ListedOn), timeout.Token, options.Limit, new Progress<int>(n => handedOn = n));
                total = summary.Read;
            }
            Console.WriteLine($"backfill: {total} papers read ({summary.Intake.New} new, {summary.Intake.Revised} revised, {summary.Intake.Unchanged} unchanged, {summary.Skipped} skipped) in {clock.Elapsed.TotalSeconds:0.0} s");

            await WaitForOutboxAsync(host.Services, timeout.Token);
            Console.WriteLine($"backfill: every event published ({clock.Elapsed.TotalSeconds:0.0} s)");

            if (options.Api is not null)
                await WaitForApiAsync(options.Api, summary.Intake.PaperIds.Distinct().ToList(), clock, timeout.Token);
            return 0;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"backfill: timed out after {options.Timeout.TotalSeconds:0} s");
            return 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static async Task WaitForOutboxAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var pending = int.MaxValue;
        using var display = new ProgressLine(() => $"events waiting to be published {pending}");
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IngestDbContext>();
            pending = await db.Set<OutboxMessage>().CountAsync(m => m.SentAt == null, cancellationToken);
            if (pending == 0)
                return;
            await Task.Delay(500, cancellationToken);
        }
    }

    private static async Task WaitForApiAsync(Uri api, List<string> ids, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = api };
        int found = 0, enriched = 0;
        using (new ProgressLine(() => $"in the Api {found}/{ids.Count}, enriched {enriched}/{ids.Count}"))
        {
            while (true)
            {
                (found, enriched) = (0, 0);
                foreach (var chunk in ids.Chunk(1000))
                {
                    using var response = await http.PostAsJsonAsync("/api/papers/status", new { ids = chunk }, cancellationToken);
                    response.EnsureSuccessStatusCode();
                    var status = await response.Content.ReadFromJsonAsync<Status>(cancellationToken);
                    found += status!.Found;
                    enriched += status.Enriched;
                }
                if (enriched == ids.Count)
                    break;
                await Task.Delay(1000, cancellationToken);
            }
        }
        Console.WriteLine($"backfill: all {ids.Count} papers searchable and enriched in the Api after {clock.Elapsed.TotalSeconds:0.0} s ({ids.Count / clock.Elapsed.TotalSeconds:0.0} papers/s end to end)");
    }

    private sealed record Status(int Requested, int Found, int Enriched);

    private static bool IsOwnOption(string arg) => arg is "--limit" or "--listed-on" or "--api" or "--timeout";

    private static bool TryParse(string[] args, out Options options, out string error)
    {
        options = new Options("", null, null, null, TimeSpan.FromHours(1));
        error = "";
        if (args is not ["backfill", var file, ..] || file.StartsWith("--", StringComparison.Ordinal))
        {
            error = "backfill: name the file to read.";
            return false;
        }
        options = options with { File = file };
        for (var i = 2; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--limit" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0:
                    options = options with { Limit = n };
                    break;
                case "--listed-on" when DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d):
                    options = options with { ListedOn = d };
                    break;
                case "--api" when Uri.TryCreate(value, UriKind.Absolute, out var uri):
                    options = options with { Api = uri };
                    break;
                case "--timeout" when int.TryParse(value, CultureInfo.InvariantCulture, out var s) && s > 0:
                    options = options with { Timeout = TimeSpan.FromSeconds(s) };
                    break;
                case var other when IsOwnOption(other):
                    error = $"backfill: {other} has a bad or missing value '{value}'.";
                    return false;
                default:
                    error = $"backfill: unknown option '{args[i]}' (configure the broker and database through the environment, as for the service).";
                    return false;
            }
            i++;
        }
        return true;
    }

    /// <summary>Rewrites one status line on a terminal; prints it every few seconds when redirected.</summary>
    private sealed class ProgressLine : IDisposable
    {
        private readonly Func<string> _text;
        private readonly Timer _timer;

        public ProgressLine(Func<string> text)
        {
            _text = text;
            var period = Console.IsOutputRedirected ? TimeSpan.FromSeconds(5) : TimeSpan.FromMilliseconds(250);
            _timer = new Timer(_ => Write(), null, period, period);
        }

        private void Write()
        {
            if (Console.IsOutputRedirected)
                Console.WriteLine($"backfill: {_text()}");
            else
                Console.Write($"\rbackfill: {_text()}\u001b[K");
        }

        public void Dispose()
        {
            _timer.Dispose();
            if (!Console.IsOutputRedirected)
                Console.Write("\r\u001b[K");
        }
    }
}
