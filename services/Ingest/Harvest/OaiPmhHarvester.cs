using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Papers.Ingest.Parsing;
using Papers.Ingest.Sources;

namespace Papers.Ingest.Harvest;

/// <summary>
/// Incremental OAI-PMH harvest: ListRecords from the last successful harvest's date, page by page
/// along the resumptionToken until it comes back empty. After each page is handed on, the cursor
/// (token and dates) is saved; a harvest that stops for any reason resumes from the saved token
/// on the next run, and a page that could not be read or handed on is fetched again. A record that
/// could not be read is quarantined (<see cref="IPaperSink.QuarantineAsync"/>) and the page's other
/// records are handed on: one bad record never holds the harvest on its page.
/// </summary>
public sealed class OaiPmhHarvester(
    OaiPmhClient client,
    IHarvestCursorStore cursors,
    IPaperSink sink,
    IOptions<OaiSourceOptions> options,
    TimeProvider time,
    ILogger<OaiPmhHarvester> logger)
{
    private readonly OaiSourceOptions _options = options.Value;

    /// <summary>The cursor key of one arXiv harvested stream: metadata format and set.</summary>
    public static string CursorKey(string metadataPrefix, string? set) =>
        new ArxivOaiOptions { MetadataPrefix = metadataPrefix }.CursorKey(set);

    /// <summary>The cursor key of one harvested stream of this source.</summary>
    public string KeyOf(string? set) => _options.CursorKey(set);

    /// <summary>Harvests every configured set (or the whole repository when none is configured).</summary>
    public async Task<IReadOnlyList<HarvestResult>> HarvestAllAsync(CancellationToken ct)
    {
        var sets = _options.Sets.Length == 0 ? [null] : _options.Sets.Select(s => (string?)s).ToArray();
        var results = new List<HarvestResult>(sets.Length);
        foreach (var set in sets)
            results.Add(await HarvestAsync(set, ct));
        return results;
    }

    /// <summary>The scheduled, incremental harvest of one set: from the cursor's date onwards.</summary>
    public async Task<HarvestResult> HarvestAsync(string? set, CancellationToken ct)
    {
        var key = KeyOf(set);
        var cursor = await cursors.GetAsync(key, ct);
        var from = cursor?.From ?? _options.InitialFrom ?? Today().AddDays(-1);
        return await RunAsync(key, set, from, null, cursor, ct);
    }

    /// <summary>
    /// An on-demand harvest of a date range (a backfill). It keeps its own cursor, keyed by the
    /// range, so it never moves the scheduled harvest's cursor, and running it again after an
    /// interruption resumes at the saved token.
    /// </summary>
    public async Task<HarvestResult> HarvestRangeAsync(string? set, DateOnly from, DateOnly? until, CancellationToken ct)
    {
        var key = RangeKey(set, from, until);
        var cursor = await cursors.GetAsync(key, ct);
        return await RunAsync(key, set, from, until, cursor, ct);
    }

    /// <summary>The cursor key of an on-demand harvest of a date range.</summary>
    public string RangeKey(string? set, DateOnly from, DateOnly? until) =>
        string.Create(CultureInfo.InvariantCulture, $"{KeyOf(set)}:{from:yyyy-MM-dd}..{until:yyyy-MM-dd}");

    private async Task<HarvestResult> RunAsync(string key, string? set, DateOnly from, DateOnly? until, HarvestCursor? cursor, CancellationToken ct)
    {
        var prefix = _options.MetadataPrefix;
        var resumed = cursor?.ResumptionToken is { Length: > 0 };
        var token = resumed ? cursor!.ResumptionToken : null;
        var harvestDate = resumed ? cursor!.HarvestDate : null;
        var latest = cursor?.LatestDatestamp;
        int pages = 0, papers = 0, deleted = 0, failed = 0, throttled = 0;

        logger.LogInformation(resumed
            ? "Resuming OAI-PMH harvest {Key} (from {From}) at a saved resumption token"
            : "Starting OAI-PMH harvest {Key} from {From}", key, from);

        while (true)
        {
            OaiFetch fetch;
            try
            {
                fetch = await client.ListRecordsAsync(new OaiListRequest(prefix, set, from, token, until), ct);
            }
            catch (OaiPmhException ex) when (ex.Code == "badResumptionToken" && token is not null)
            {
                // arXiv tokens expire at UTC midnight. Forget the token but keep the window's
                // from-date: the next run lists the window again (Ingest drops what it already
                // has) instead of being stuck on a dead token or skipping the rest of the window.
                await cursors.SaveAsync(new HarvestCursor(key, from, null, null, time.GetUtcNow(), latest), ct);
                throw;
            }

            var page = fetch.Page;
            throttled += fetch.Throttled;
            harvestDate ??= ArxivMetadata.DateOf(page.ResponseDate) ?? Today();
            if (page.LatestDatestamp is { } stamp && (latest is null || stamp > latest))
                latest = stamp;
            if (page.Papers.Count > 0)
                await sink.HandOnAsync(page.Papers, ct);
            // One unreadable record must not hold the page (nor the harvest) back: it is kept for
            // an operator, and the cursor moves on with the rest of the page. A record quarantined
            // before and read now is released.
            foreach (var failure in page.FailedRecords)
                logger.LogWarning("OAI-PMH harvest {Key}: quarantined record {RecordId}: {Reason}", key, failure.RecordId, failure.Reason);
            await sink.QuarantineAsync(key, page.FailedRecords, page.ReadRecordIds, ct);
            pages++;
            failed += page.FailedRecords.Count;
            papers += page.Papers.Count;
            deleted += page.DeletedIds.Count;

            if (page.IsLastPage)
            {
                // The next harvest starts on the day this one began (from= is inclusive), so
                // records changed later that day are not missed.
                await cursors.SaveAsync(new HarvestCursor(key, harvestDate, null, null, time.GetUtcNow(), latest), ct);
                logger.LogInformation("OAI-PMH harvest {Key} done: {Pages} pages, {Papers} records, {Deleted} deleted, {Failed} quarantined",
                    key, pages, papers, deleted, failed);
                return new HarvestResult(key, pages, papers, deleted, failed, throttled, from, harvestDate, resumed, latest);
            }

            if (page.ResumptionToken == token)
            {
                throw new ConnectorFormatException(fetch.RequestUri.ToString(), null, null,
                    $"the repository returned the same resumptionToken '{token}' again; stopping instead of looping");
            }

            token = page.ResumptionToken;
            await cursors.SaveAsync(new HarvestCursor(key, from, token, harvestDate, time.GetUtcNow(), latest), ct);
            logger.LogDebug("OAI-PMH harvest {Key}: page {Page} handed on ({Cursor}/{Size})",
                key, pages, page.Cursor, page.CompleteListSize);
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
}
