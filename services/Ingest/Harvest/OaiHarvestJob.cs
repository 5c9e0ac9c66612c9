using Microsoft.Extensions.Options;
using Papers.Domain;
using Papers.Ingest.Data;
using Papers.Ingest.Sources;

namespace Papers.Ingest.Harvest;

/// <summary>
/// One OAI-PMH harvest run of one source (arXiv, or a Dublin Core repository), scheduled or on
/// demand: harvests each set through <see cref="HarvestIntake"/>, then, for arXiv, checks the new
/// submissions seen for gaps in the id sequence and keeps the report (<c>harvest_gap_reports</c>, served at <c>/api/ingest/gaps</c>). A failing set
/// is reported and counted, and the next set still runs.
/// </summary>
public sealed class OaiHarvestJob(
    OaiPmhHarvester harvester,
    HarvestIntake intake,
    IngestDbContext db,
    IOptions<OaiSourceOptions> options,
    TimeProvider clock,
    ILogger<OaiHarvestJob> logger)
{
    /// <summary>New submissions announced more than this before the harvest's <c>from</c> are
    /// replacements or late metadata fixes, not part of the range the gap check looks at.</summary>
    private static readonly int GapWindowDays = 7;

    /// <summary>The scheduled run: every configured set from its cursor onwards.</summary>
    public async Task<IReadOnlyList<HarvestRunSummary>> RunScheduledAsync(CancellationToken ct)
    {
        var sets = options.Value.Sets.Length == 0 ? [null] : options.Value.Sets.Select(s => (string?)s).ToArray();
        var summaries = new List<HarvestRunSummary>();
        foreach (var set in sets)
        {
            var key = harvester.KeyOf(set);
            summaries.Add(await RunAsync(key, set, chained: true, () => harvester.HarvestAsync(set, ct), ct));
        }
        return summaries;
    }

    /// <summary>An on-demand backfill of a date range (its own cursor; resumable).</summary>
    public Task<HarvestRunSummary> RunRangeAsync(string? set, DateOnly from, DateOnly? until, CancellationToken ct) =>
        RunAsync(harvester.RangeKey(set, from, until), set, chained: false, () => harvester.HarvestRangeAsync(set, from, until, ct), ct);

    private async Task<HarvestRunSummary> RunAsync(string key, string? set, bool chained, Func<Task<HarvestResult>> harvest, CancellationToken ct)
    {
        var tally = intake.StartTally();
        try
        {
            var result = await harvest();
            // Only arXiv numbers its papers consecutively; other repositories' ids have no gaps to find.
            var gaps = options.Value is ArxivOaiOptions ? (await CheckGapsAsync(key, set, result, tally, chained, ct)).Gaps : [];
            return HarvestRunSummary.From(key, tally, [], gaps, result.LatestDatestamp);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            intake.DiscardStaged();
            HarvestMetrics.Failed(key, ex);
            logger.LogError(ex, "OAI-PMH harvest {Key} failed after {Fetched} records; the next run resumes from the saved cursor", key, tally.Fetched);
            return HarvestRunSummary.From(key, tally, [ex.Message]);
        }
    }

    /// <summary>
    /// Runs <see cref="GapDetector"/> over the new submissions seen and saves the report. A
    /// scheduled harvest continues from the highest id its previous run saw (<paramref name="chained"/>);
    /// a backfill of a range stands alone.
    /// </summary>
    private async Task<GapReportRow> CheckGapsAsync(string key, string? set, HarvestResult result, HarvestTally tally, bool chained, CancellationToken ct)
    {
        var row = await db.GapReports.FindAsync([key], ct);
        var before = chained ? row?.HighestId : null;
        var windowStart = result.From?.AddDays(-GapWindowDays);
        var ids = tally.NewSubmissions
            .Where(s => windowStart is null || s.PublishedOn is null || s.PublishedOn >= windowStart)
            .Select(s => s.Id)
            .ToList();
        var gaps = GapDetector.FindGaps(ids, before);
        var highest = ids.Append(before)
            .Select(s => ArxivId.TryParse(s, out var id) && id.IsNewStyle ? id : (ArxivId?)null)
            .Where(id => id is not null)
            .Select(id => id!.Value)
            .DefaultIfEmpty()
            .Max();

        if (row is null)
        {
            row = new GapReportRow { Source = key };
            db.GapReports.Add(row);
        }

        row.From = result.From;
        row.CheckedAt = clock.GetUtcNow();
        row.IdsChecked = ids.Count;
        row.HighestId = highest == default ? before : highest.Value;
        row.Filtered = !string.IsNullOrWhiteSpace(set);
        row.Gaps = [.. gaps];
        row.Missing = gaps.Sum(g => g.Count);
        await db.SaveChangesAsync(ct);

        if (gaps.Count == 0)
            logger.LogInformation("Gap check {Key}: {Count} new submissions, no ids missing", key, ids.Count);
        else if (row.Filtered)
            logger.LogInformation("Gap check {Key}: {Missing} ids missing in {Ranges} (expected: the harvest is filtered by set {Set})",
                key, row.Missing, string.Join(", ", gaps), set);
        else
            logger.LogWarning("Gap check {Key}: {Missing} ids missing in {Ranges}; backfill them by id or re-harvest the day",
                key, row.Missing, string.Join(", ", gaps));
        return row;
    }
}
