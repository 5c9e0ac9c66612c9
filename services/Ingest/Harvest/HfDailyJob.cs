using Papers.Ingest.Parsing;
using Papers.Ingest.Sources;

namespace Papers.Ingest.Harvest;

/// <summary>
/// One import of the Hugging Face daily papers of a day through <see cref="HarvestIntake"/>: the
/// day's papers and the <c>hf-daily</c> cursor (the newest day imported) commit together.
/// An unreadable item is quarantined in the same save (under its <c>paper.id</c>, or the day and
/// its place among the day's id-less items), the rest is ingested; a later import that reads it
/// releases it.
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
                logger.LogWarning("Daily papers {Date}: quarantined {Problem}", date, problem.ToString());
            if (result.Papers.Count > 0)
                await intake.HandOnAsync(result.Papers, ct);
            await intake.QuarantineAsync(CursorKey, Failures(date, result.Problems), [.. result.Papers.Select(p => p.ArxivId!)], ct);
            var latest = previous?.LatestDatestamp is { } before && before > date ? before : date;
            await intake.SaveAsync(new HarvestCursor(CursorKey, date, null, null, clock.GetUtcNow(), latest), ct);
            return HarvestRunSummary.From(CursorKey, tally, [], latest: latest);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            intake.DiscardStaged();
            HarvestMetrics.Failed(CursorKey, ex);
            logger.LogError(ex, "Daily papers import of {Date} failed", date);
            return HarvestRunSummary.From(CursorKey, tally, [ex.Message]);
        }
    }

    /// <summary>An item without an id is named by its day and its place among that day's id-less items: the same on a re-import of the same list.</summary>
    private static List<RecordFailure> Failures(DateOnly date, IReadOnlyList<ParseProblem> problems)
    {
        var unnamed = 0;
        return [.. problems.Select(p => new RecordFailure(
            p.RecordId ?? $"{date:yyyy-MM-dd} item without id #{++unnamed}", p.Message, p.Line, p.Position, p.Content ?? ""))];
    }

    /// <summary>The day a scheduled run imports: today (UTC).</summary>
    public DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
