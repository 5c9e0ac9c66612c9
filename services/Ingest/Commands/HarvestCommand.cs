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
/// <c>harvest oai-dc --from yyyy-MM-dd [--until yyyy-MM-dd] [--set SET]</c>,
/// <c>harvest hf --date yyyy-MM-dd [--until yyyy-MM-dd]</c> and <c>harvest feed</c> (all with
/// <c>[--timeout seconds]</c>): an on-demand backfill of a date range from arXiv OAI-PMH, a Dublin
/// Core repository or the Hugging Face daily papers, or a read of today's arXiv listing feed,
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
        "       harvest oai-dc --from yyyy-MM-dd [--until yyyy-MM-dd] [--set SET] [--timeout seconds]\n" +
        "       harvest hf --date yyyy-MM-dd [--until yyyy-MM-dd] [--timeout seconds]\n" +
        "       harvest feed [--timeout seconds]";

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
        var source = Sources[options.Source];
        if (source.BaseUrl(host.Services) is null)
        {
            await error.WriteLineAsync($"harvest: {source.Section}:BaseUrl is not configured.");
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
            var outcome = await lease.RunOnceAsync(source.Job, occurrence: null, async ct =>
            {
                await using var scope = host.Services.CreateAsyncScope();
                var intake = scope.ServiceProvider.GetRequiredService<HarvestIntake>();
                var gate = scope.ServiceProvider.GetRequiredService<PolitenessGate>();
                using var display = Progress(() => ProgressText(intake.Tally, gate));
                switch (options.Source)
                {
                    case "oai":
                        summaries.Add(await scope.ServiceProvider.GetRequiredService<OaiHarvestJob>()
                            .RunRangeAsync(options.Set, options.From, options.Until, ct));
                        break;
                    case "oai-dc":
                        summaries.Add(await scope.ServiceProvider.GetRequiredKeyedService<OaiHarvestJob>(OaiDcOptions.Section)
                            .RunRangeAsync(options.Set, options.From, options.Until, ct));
                        break;
                    case "feed":
                        summaries.Add(await scope.ServiceProvider.GetRequiredService<ArxivFeedJob>().RunAsync(ct));
                        break;
                    default:
                        var job = scope.ServiceProvider.GetRequiredService<HfDailyJob>();
                        for (var day = options.From; day <= (options.Until ?? options.From); day = day.AddDays(1))
                            summaries.Add(await job.RunAsync(day, ct));
                        break;
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

    /// <summary>A source the command harvests: its settings section, its lease (shared with its schedule) and its endpoint.</summary>
    private sealed record Source(string Section, string Job, Func<IServiceProvider, Uri?> BaseUrl);

    private static readonly Dictionary<string, Source> Sources = new()
    {
        ["oai"] = new(ArxivOaiOptions.Section, OaiHarvestSchedule.JobName, sp => sp.GetRequiredService<IOptions<ArxivOaiOptions>>().Value.BaseUrl),
        ["oai-dc"] = new(OaiDcOptions.Section, OaiDcHarvestSchedule.JobName, sp => sp.GetRequiredService<IOptions<OaiDcOptions>>().Value.BaseUrl),
        ["hf"] = new(HfDailyOptions.Section, HfDailySchedule.JobName, sp => sp.GetRequiredService<IOptions<HfDailyOptions>>().Value.BaseUrl),
        ["feed"] = new(ArxivFeedOptions.Section, ArxivFeedSchedule.JobName, sp => sp.GetRequiredService<IOptions<ArxivFeedOptions>>().Value.BaseUrl),
    };

    private static bool TryParse(string[] args, out Options options, out string error)
    {
        options = new Options("", default, null, null, TimeSpan.FromHours(6));
        error = "";
        var source = args.Length > 1 ? args[1] : "";
        if (!Sources.ContainsKey(source))
        {
            error = "harvest: name the source, oai, oai-dc, hf or feed.";
            return false;
        }

        // The feed holds only the latest announcement: it takes no dates.
        var dateOption = source switch { "oai" or "oai-dc" => "--from", "hf" => "--date", _ => null };
        var hasSets = source is "oai" or "oai-dc";
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
                case "--until" when isDate && dateOption is not null:
                    options = options with { Until = date };
                    break;
                case "--set" when hasSets && !string.IsNullOrWhiteSpace(value) && !value.StartsWith("--", StringComparison.Ordinal):
                    options = options with { Set = value };
                    break;
                case "--timeout" when int.TryParse(value, CultureInfo.InvariantCulture, out var s) && s > 0:
                    options = options with { Timeout = TimeSpan.FromSeconds(s) };
                    break;
                case var o when o == dateOption || (o == "--until" && dateOption is not null) || o == "--timeout" || (o == "--set" && hasSets):
                    error = $"harvest: {o} has a bad or missing value '{value}'.";
                    return false;
                default:
                    error = $"harvest {source}: unknown option '{args[i]}'.";
                    return false;
            }
            i++;
        }

        if (dateOption is null)
            return true;
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
