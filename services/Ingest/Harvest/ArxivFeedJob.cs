using Papers.Ingest.Sources;

namespace Papers.Ingest.Harvest;

/// <summary>
/// One read of the arXiv listing feed through <see cref="HarvestIntake"/>: the day's papers and the
/// feed's cursor (<c>arxiv-feed:&lt;categories&gt;</c>, the newest listing day read) commit together.
/// The feed holds only the latest announcement, so a day not read is not in it any more: backfill
/// such a day from OAI-PMH (<c>harvest oai --from D --until D</c>).
/// </summary>
public sealed class ArxivFeedJob(ArxivListingFeedClient client, HarvestIntake intake, TimeProvider clock, ILogger<ArxivFeedJob> logger)
{
    public async Task<HarvestRunSummary> RunAsync(CancellationToken ct)
    {
        var key = client.CursorKey;
        var tally = intake.StartTally();
        try
        {
            var previous = await intake.GetAsync(key, ct);
            var feed = await client.GetAsync(ct);
            if (feed.Papers.Count > 0)
                await intake.HandOnAsync(feed.Papers, ct);
            var latest = new[] { previous?.LatestDatestamp, feed.Papers.Count > 0 ? feed.ListedOn : null }.Max();
            await intake.SaveAsync(new HarvestCursor(key, feed.ListedOn, null, null, clock.GetUtcNow(), latest), ct);
            if (feed.Papers.Count == 0)
                logger.LogInformation("arXiv listing feed {Key}: no announcements for {Day} (a weekend or holiday)", key, feed.ListedOn);
            return HarvestRunSummary.From(key, tally, [], latest: latest);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            intake.DiscardStaged();
            HarvestMetrics.Failed(key, ex);
            logger.LogError(ex, "arXiv listing feed {Key} could not be read", key);
            return HarvestRunSummary.From(key, tally, [ex.Message]);
        }
    }
}
