using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Papers.Ingest.Intake;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Commands;

/// <summary>
/// <c>backfill &lt;file&gt; [--limit N] [--listed-on yyyy-MM-dd] [--api URL] [--timeout SECONDS]</c>:
/// pushes the papers of a file in any supported format (our JSONL, <c>.abs</c>, saved OAI-PMH,
/// arXiv API or Hugging Face responses) through the real pipeline (Ingest's database and outbox, the
/// configured broker) with a progress display; with <c>--api</c> it waits until the Api has every
/// paper enriched. Configuration is the Ingest service's own (environment variables, appsettings.json).
/// Exit codes: 0 done, 1 timed out or failed, 2 usage or configuration error.
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

        return await CommandHost.RunAsync("backfill", Console.Error, null, host => RunAsync(host, options));
    }

    private static async Task<int> RunAsync(IHost host, Options options)
    {
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
                using var display = Progress(() => $"handed on {handedOn}");
                summary = await scope.ServiceProvider.GetRequiredService<FileImport>().ImportAsync(
                    new ImportFile(options.File, options.ListedOn), timeout.Token, options.Limit, new Progress<int>(n => handedOn = n));
                total = summary.Read;
            }
            Console.WriteLine($"backfill: {total} papers read from {summary.Format} ({summary.Intake.New} new, {summary.Intake.Revised} revised, {summary.Intake.Unchanged} unchanged, {summary.Skipped} skipped) in {clock.Elapsed.TotalSeconds:0.0} s");

            await CommandHost.WaitForOutboxAsync(host.Services, Progress, timeout.Token);
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
        catch (ConnectorException ex)
        {
            await Console.Error.WriteLineAsync($"backfill: {ex.Message}");
            return 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static ProgressLine Progress(Func<string> text) => new("backfill", Console.Out, text);

    private static async Task WaitForApiAsync(Uri api, List<string> ids, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = api };
        int found = 0, enriched = 0;
        using (Progress(() => $"in the Api {found}/{ids.Count}, enriched {enriched}/{ids.Count}"))
        {
            while (true)
            {
                try
                {
                    var (f, e) = (0, 0);
                    foreach (var chunk in ids.Chunk(1000))
                    {
                        using var response = await http.PostAsJsonAsync("/api/papers/status", new { ids = chunk }, cancellationToken);
                        response.EnsureSuccessStatusCode();
                        var status = await response.Content.ReadFromJsonAsync<Status>(cancellationToken);
                        (f, e) = (f + status!.Found, e + status.Enriched);
                    }
                    (found, enriched) = (f, e);
                    if (enriched == ids.Count)
                        break;
                }
                catch (HttpRequestException ex)
                {
                    // The Api restarting or its database briefly down is not the backfill's failure: keep waiting.
                    Console.Error.WriteLine($"backfill: the Api did not answer ({ex.Message}); still waiting");
                }
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
}
