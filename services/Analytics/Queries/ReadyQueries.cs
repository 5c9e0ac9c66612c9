using System.Data.Common;

namespace Papers.Analytics.Queries;

public sealed record PapersPerDay(DateOnly Day, string Category, long Ingested, long Enriched);

public sealed record EnrichmentLag(DateOnly Day, long Papers, double P50Seconds, double P95Seconds);

public sealed record SearchCount(string Query, long Searches);

public sealed record Searches(IReadOnlyList<SearchCount> Top, IReadOnlyList<SearchCount> ZeroResults);

public sealed record PaperCount(string PaperId, long Count);

public sealed record TopPapers(DateOnly Day, IReadOnlyList<PaperCount> ByViews, IReadOnlyList<PaperCount> ByUpvotes);

/// <summary>Per day; a count is null when the platform's contracts have no such event (yet).</summary>
public sealed record DigestDay(DateOnly Day, long DigestsSent, long? DigestsFailed, long? Unsubscribes);

/// <summary>
/// The first questions every analytics team asks, answered over the archive. Days are the UTC days
/// of the events' own times (the partitions), from and to inclusive.
/// </summary>
public sealed class ReadyQueries(ArchiveQueries archive)
{
    /// <summary>Distinct papers ingested and enriched per day and category (a paper's primary arXiv category as last ingested; the predicted one for a paper never ingested).</summary>
    public Task<List<PapersPerDay>> PapersPerDayAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        archive.QueryAsync("""
            WITH category AS (SELECT paperId, arg_max(primaryCategory, eventTime) AS category FROM PaperIngested GROUP BY paperId),
            ingested AS (
                SELECT day, coalesce(primaryCategory, 'none') AS category, count(DISTINCT paperId) AS papers
                FROM PaperIngested WHERE day BETWEEN $from AND $to GROUP BY ALL),
            enriched AS (
                SELECT e.day, coalesce(c.category, e.predictedPrimaryCategory, 'none') AS category, count(DISTINCT e.paperId) AS papers
                FROM PaperEnriched e LEFT JOIN category c USING (paperId) WHERE e.day BETWEEN $from AND $to GROUP BY ALL)
            SELECT day, category, coalesce(i.papers, 0), coalesce(e.papers, 0)
            FROM ingested i FULL JOIN enriched e USING (day, category) ORDER BY day, category
            """, Range(from, to), r => new PapersPerDay(Day(r, 0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)), cancellationToken);

    /// <summary>
    /// Seconds from a paper version's first ingestion to its first enrichment (later enrichments of
    /// the same content, by a new model, are not lag), p50 and p95 per day of enrichment.
    /// </summary>
    public Task<List<EnrichmentLag>> EnrichmentLagAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        archive.QueryAsync("""
            WITH enriched AS (SELECT paperId, contentHash, min(enrichedAt) AS enrichedAt FROM PaperEnriched GROUP BY ALL),
            ingested AS (SELECT paperId, contentHash, min(ingestedAt) AS ingestedAt FROM PaperIngested GROUP BY ALL),
            lags AS (
                SELECT CAST(e.enrichedAt AS DATE) AS day, epoch(e.enrichedAt) - epoch(i.ingestedAt) AS lag
                FROM enriched e JOIN ingested i USING (paperId, contentHash))
            SELECT day, count(*), quantile_cont(lag, 0.5), quantile_cont(lag, 0.95)
            FROM lags WHERE day BETWEEN $from AND $to GROUP BY day ORDER BY day
            """, Range(from, to), r => new EnrichmentLag(Day(r, 0), r.GetInt64(1), r.GetDouble(2), r.GetDouble(3)), cancellationToken);

    /// <summary>The most frequent searches, and the most frequent that found nothing (queries compared trimmed and lower-cased).</summary>
    public async Task<Searches> SearchesAsync(DateOnly from, DateOnly to, int limit, CancellationToken cancellationToken)
    {
        var rows = await archive.QueryAsync("""
            WITH searches AS (SELECT lower(trim(query)) AS query, resultCount FROM SearchPerformed WHERE day BETWEEN $from AND $to),
            top AS (SELECT 'top' AS list, query, count(*) AS n FROM searches GROUP BY query ORDER BY n DESC, query LIMIT $limit),
            zero AS (SELECT 'zero' AS list, query, count(*) AS n FROM searches WHERE resultCount = 0 GROUP BY query ORDER BY n DESC, query LIMIT $limit)
            SELECT * FROM top UNION ALL SELECT * FROM zero ORDER BY list, n DESC, query
            """, Range(from, to, limit), r => (List: r.GetString(0), Count: new SearchCount(r.GetString(1), r.GetInt64(2))), cancellationToken);
        return new Searches([.. rows.Where(r => r.List == "top").Select(r => r.Count)], [.. rows.Where(r => r.List == "zero").Select(r => r.Count)]);
    }

    /// <summary>Per day, the papers viewed most and the papers with the most upvotes that day (upvotes less withdrawals, when more than zero).</summary>
    public async Task<List<TopPapers>> TopPapersAsync(DateOnly from, DateOnly to, int limit, CancellationToken cancellationToken)
    {
        var rows = await archive.QueryAsync("""
            -- Counts per paper and day (written by compaction for closed days), not every event.
            WITH views AS (SELECT day, paperId, sum(events) AS n FROM PaperViewedPerPaper WHERE day BETWEEN $from AND $to GROUP BY ALL),
            votes AS (
                SELECT day, paperId, sum(n) AS n FROM (
                    SELECT day, paperId, events AS n FROM PaperUpvotedPerPaper WHERE day BETWEEN $from AND $to
                    UNION ALL
                    SELECT day, paperId, -events FROM PaperUpvoteWithdrawnPerPaper WHERE day BETWEEN $from AND $to)
                GROUP BY ALL),
            -- The top N of each day by a per-day heap (min_by with a count), not a sort of every (day, paper).
            ranked AS (
                SELECT 'views' AS list, day, unnest(min_by({'paperId': paperId, 'n': n}, (-n, paperId), $limit), recursive := true) FROM views GROUP BY day
                UNION ALL
                SELECT 'upvotes', day, unnest(min_by({'paperId': paperId, 'n': n}, (-n, paperId), $limit), recursive := true) FROM votes WHERE n > 0 GROUP BY day)
            SELECT * FROM ranked ORDER BY day, list, n DESC, paperId
            """, Range(from, to, limit), r => (List: r.GetString(0), Day: Day(r, 1), Count: new PaperCount(r.GetString(2), r.GetInt64(3))), cancellationToken);
        return [.. rows.GroupBy(r => r.Day).Select(d => new TopPapers(d.Key,
            [.. d.Where(r => r.List == "views").Select(r => r.Count)],
            [.. d.Where(r => r.List == "upvotes").Select(r => r.Count)]))];
    }

    /// <summary>Digests sent (and failed, and unsubscribes, where the contracts have those events) per day.</summary>
    public Task<List<DigestDay>> DigestsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var failed = PerDay("DigestFailed");
        var unsubscribed = PerDay("Unsubscribed");
        return archive.QueryAsync($"""
            WITH sent AS (SELECT day, count(DISTINCT digestId) AS n FROM DigestSent WHERE day BETWEEN $from AND $to GROUP BY day),
            failed AS ({failed.Sql}), unsubscribed AS ({unsubscribed.Sql}),
            days AS (SELECT day FROM sent UNION SELECT day FROM failed UNION SELECT day FROM unsubscribed)
            SELECT day, coalesce(s.n, 0), f.n, u.n FROM days LEFT JOIN sent s USING (day) LEFT JOIN failed f USING (day) LEFT JOIN unsubscribed u USING (day) ORDER BY day
            """, Range(from, to), r => new DigestDay(Day(r, 0), r.GetInt64(1),
            Count(r, 2, failed.Archived), Count(r, 3, unsubscribed.Archived)), cancellationToken);
    }

    /// <summary>Events of a type per day, or no rows when the contracts have no such type (its counts then read as null, not 0).</summary>
    private (string Sql, bool Archived) PerDay(string eventType) => archive.Types.Find(eventType) is null
        ? ("SELECT NULL::DATE AS day, NULL::BIGINT AS n WHERE false", false)
        : ($"SELECT day, count(*) AS n FROM \"{eventType}\" WHERE day BETWEEN $from AND $to GROUP BY day", true);

    private static long? Count(DbDataReader reader, int column, bool archived) =>
        !archived ? null : reader.IsDBNull(column) ? 0 : reader.GetInt64(column);

    private static Dictionary<string, object?> Range(DateOnly from, DateOnly to, int? limit = null)
    {
        var parameters = new Dictionary<string, object?> { ["from"] = from, ["to"] = to };
        if (limit is { } l)
            parameters["limit"] = l;
        return parameters;
    }

    private static DateOnly Day(DbDataReader reader, int column) => reader.GetFieldValue<DateOnly>(column);
}
