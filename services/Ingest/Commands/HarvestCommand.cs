using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Papers.Ingest.Data;
using Papers.Ingest.Harvest;
using Papers.Ingest.Sources;
using Papers.ServiceDefaults.Leases;

namespace Papers.Ingest.Commands;

/// <summary>
/// <c>harvest oai --from yyyy-MM-dd [--until yyyy-MM-dd] [--set cs:cs:LG]</c> and
/// <c>harvest hf --date yyyy-MM-dd [--until yyyy-MM-dd]</c> (both with <c>[--timeout seconds]</c>):
/// an on-demand backfill of a date range from arXiv OAI-PMH or the Hugging Face daily papers,
/// through the same jobs as the scheduled harvests, with a progress display and a summary
/// (fetched, new, revised, unchanged, skipped, failed with reasons). An OAI-PMH range keeps its
/// own cursor, so the scheduled harvest's is untouched and an interrupted run resumes when run
/// again. Configuration is the service's own (<c>Sources:*</c>, database, broker).
/// Exit codes: 0 done, 1 something failed or timed out (a quarantined record included: the rest
/// was harvested, and the cursor moved on), 2 usage or configuration error.
/// </summary>
public static class HarvestCommand
{
    public const string Usage =
        "usage: harvest oai --from yyyy-MM-dd [--until yyyy-MM-dd] [--set cs:cs:LG] [--timeout seconds]\n" +
        "       harvest hf --date yyyy-MM-dd [--until yyyy-MM-dd] [--timeout seconds]";

    private sealed record Options(string Source, DateOnly From, DateOnly? Until, string? Set, TimeSpan Timeout);

    /// <param name="configure">Extra configuration sources, for tests.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Action<IConfigurationBuilder>? configure = null)
    {
        if (!TryParse(args, out var options, out var problem))
        {
            await error.WriteLineAsync(problem + Environment.NewLine + Usage);
            return 2;
        }

        return await CommandHost.RunAsync("harvest", error, configure, host => RunAsync(host, options, output, error));
    }

    private static async Task<int> RunAsync(IHost host, Options options, TextWriter output, TextWriter error)
    {
        if (BaseUrlOf(host.Services, options.Source) is null)
        {
            await error.WriteLineAsync($"harvest: {(options.Source == "oai" ? ArxivOaiOptions.Section : HfDailyOptions.Section)}:BaseUrl is not configured.");
            return 2;
        }

        using var timeout = new CancellationTokenSource(options.Timeout);
        var clock = Stopwatch.StartNew();
        ProgressLine Progress(Func<string> text) => new("harvest", output, text);
        await host.StartAsync(timeout.Token);
        try
        {
            var summaries = new List<HarvestRunSummary>();
            // The scheduled harvest of the source (on any replica) and this command exclude each other.
            var lease = host.Services.GetRequiredService<ClusterLease<IngestDbContext>>();
            var outcome = await lease.RunOnceAsync(options.Source == "oai" ? OaiHarvestSchedule.JobName : HfDailySchedule.JobName, occurrence: null, async ct =>
            {
                await using var scope = host.Services.CreateAsyncScope();
                var intake = scope.ServiceProvider.GetRequiredService<HarvestIntake>();
                var gate = scope.ServiceProvider.GetRequiredService<PolitenessGate>();
                using var display = Progress(() => ProgressText(intake.Tally, gate));
                if (options.Source == "oai")
                {
                    summaries.Add(await scope.ServiceProvider.GetRequiredService<OaiHarvestJob>()
                        .RunRangeAsync(options.Set, options.From, options.Until, ct));
                }
                else
                {
                    var job = scope.ServiceProvider.GetRequiredService<HfDailyJob>();
                    for (var day = options.From; day <= (options.Until ?? options.From); day = day.AddDays(1))
                        summaries.Add(await job.RunAsync(day, ct));
                }
            }, timeout.Token);
            if (outcome == LeaseOutcome.Busy)
            {
                await error.WriteLineAsync("harvest: a harvest of this source is running (the scheduled one on an Ingest replica, or another command); run this again once it has finished.");
                return 1;
            }

            foreach (var summary in summaries)
            {
                await output.WriteLineAsync($"harvest: {summary}");
                foreach (var failure in summary.Failures)
                    await output.WriteLineAsync($"harvest:   failed: {failure}");
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"harvest: fetched {summaries.Sum(s => s.Fetched)}, new {summaries.Sum(s => s.New)}, revised {summaries.Sum(s => s.Revised)}, " +
                $"unchanged {summaries.Sum(s => s.Unchanged)}, skipped {summaries.Sum(s => s.Skipped)}, failed {summaries.Sum(s => s.Failures.Count)} " +
                $"in {clock.Elapsed.TotalSeconds:0.0} s"));

            await CommandHost.WaitForOutboxAsync(host.Services, Progress, timeout.Token);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"harvest: every event published ({clock.Elapsed.TotalSeconds:0.0} s)"));
            return summaries.All(s => s.Succeeded) ? 0 : 1;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await error.WriteLineAsync($"harvest: timed out after {options.Timeout.TotalSeconds:0} s; run it again to resume");
            return 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The progress line: the counts, and while a source makes us wait, that and for how long.</summary>
    public static string ProgressText(HarvestTally tally, PolitenessGate gate) =>
        $"fetched {tally.Fetched}, new {tally.New}, revised {tally.Revised}, failed {tally.Quarantined.Count}" +
        (gate.Throttling() is { } throttled ? $"; {throttled}" : string.Empty);

    private static Uri? BaseUrlOf(IServiceProvider services, string source) => source == "oai"
        ? services.GetRequiredService<IOptions<ArxivOaiOptions>>().Value.BaseUrl
        : services.GetRequiredService<IOptions<HfDailyOptions>>().Value.BaseUrl;

    private static bool TryParse(string[] args, out Options options, out string error)
    {
        options = new Options("", default, null, null, TimeSpan.FromHours(6));
        error = "";
        var source = args.Length > 1 ? args[1] : "";
        if (source is not ("oai" or "hf"))
        {
            error = "harvest: name the source, oai or hf.";
            return false;
        }

        var dateOption = source == "oai" ? "--from" : "--date";
        DateOnly? from = null;
        options = options with { Source = source };
        for (var i = 2; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            var isDate = DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
            switch (args[i])
            {
                case var o when o == dateOption && isDate:
                    from = date;
                    break;
                case "--until" when isDate:
                    options = options with { Until = date };
                    break;
                case "--set" when source == "oai" && !string.IsNullOrWhiteSpace(value) && !value.StartsWith("--", StringComparison.Ordinal):
                    options = options with { Set = value };
                    break;
                case "--timeout" when int.TryParse(value, CultureInfo.InvariantCulture, out var s) && s > 0:
                    options = options with { Timeout = TimeSpan.FromSeconds(s) };
                    break;
                case var o when o == dateOption || o is "--until" or "--timeout" || (o == "--set" && source == "oai"):
                    error = $"harvest: {o} has a bad or missing value '{value}'.";
                    return false;
                default:
                    error = $"harvest {source}: unknown option '{args[i]}'.";
                    return false;
            }
            i++;
        }

        if (from is null)
        {
            error = $"harvest {source}: {dateOption} yyyy-MM-dd is required.";
            return false;
        }

        if (options.Until < from)
        {
            error = $"harvest {source}: --until {options.Until:yyyy-MM-dd} is before {dateOption} {from:yyyy-MM-dd}.";
            return false;
        }

        options = options with { From = from.Value };
        return true;
    }
}
