using Papers.Ingest.Parsing;
using Papers.Ingest.Sources;

namespace Papers.Ingest.Harvest;

/// <summary>
/// One import of the Hugging Face daily papers of a day through <see cref="HarvestIntake"/>: the
/// day's papers and the <c>hf-daily</c> cursor (the newest day imported) commit together.
/// Unreadable items are skipped and reported; the rest is ingested.
/// </summary>
public sealed class HfDailyJob(HfDailyPapersClient client, HarvestIntake intake, TimeProvider clock, ILogger<HfDailyJob> logger)
{
    public const string CursorKey = HfDailyPapersParser.SourceLabel;

    public async Task<HarvestRunSummary> RunAsync(DateOnly date, CancellationToken ct)
    {
        var tally = intake.StartTally();
        try
        {
            var previous = await intake.GetAsync(CursorKey, ct);
            var result = await client.GetDailyAsync(date, ct);
            foreach (var problem in result.Problems)
                logger.LogWarning("Daily papers {Date}: skipped {Problem}", date, problem.ToString());
            if (result.Papers.Count > 0)
                await intake.HandOnAsync(result.Papers, ct);
            var latest = previous?.LatestDatestamp is { } before && before > date ? before : date;
            await intake.SaveAsync(new HarvestCursor(CursorKey, date, null, null, clock.GetUtcNow(), latest), ct);
            return HarvestRunSummary.From(CursorKey, tally, [.. result.Problems.Select(p => p.ToString())], latest: latest);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            intake.DiscardStaged();
            HarvestMetrics.Failed(CursorKey, ex);
            logger.LogError(ex, "Daily papers import of {Date} failed", date);
            return HarvestRunSummary.From(CursorKey, tally, [ex.Message]);
        }
    }

    /// <summary>The day a scheduled run imports: today (UTC).</summary>
    public DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
