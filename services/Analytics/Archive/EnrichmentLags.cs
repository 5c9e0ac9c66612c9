using Microsoft.EntityFrameworkCore;
using Papers.Analytics.Data;
using Papers.Contracts;

namespace Papers.Analytics.Archive;

/// <summary>
/// The enrichment lag of each paper version, for the metric: seconds from its first ingestion to
/// its first enrichment. The two events travel separately and may be archived in either order, by
/// any replica: each archived one fills its side of the version's row only if that side is empty
/// (<c>INSERT … ON CONFLICT DO UPDATE … WHERE … IS NULL RETURNING</c>, which waits for another
/// replica's transaction on the same row), and the one that finds the other side filled has
/// completed the pair: that one reports the lag, once. A later enrichment of the same content (by
/// a new model) is not lag.
/// </summary>
public static class EnrichmentLags
{
    private sealed record Pair(DateTime? IngestedAt, DateTime? EnrichedAt);

    private static readonly string FillIngested = Fill(nameof(PaperVersion.IngestedAt)), FillEnriched = Fill(nameof(PaperVersion.EnrichedAt));

    /// <summary>Records <paramref name="rows"/>' side of their versions in <paramref name="db"/>'s transaction; returns the lags (seconds) they completed.</summary>
    public static async Task<List<double>> PairAsync(AnalyticsDbContext db, IEnumerable<ArchiveRow> rows, CancellationToken cancellationToken)
    {
        var lags = new List<double>();
        foreach (var row in rows)
        {
            var (paperId, contentHash, at, fill) = row.Message switch
            {
                PaperIngested i => (i.PaperId, i.ContentHash, i.IngestedAt, FillIngested),
                PaperEnriched e => (e.PaperId, e.ContentHash, e.EnrichedAt, FillEnriched),
                _ => default,
            };
            if (fill is null)
                continue;
            var pair = await db.Database.SqlQueryRaw<Pair>(fill, paperId, contentHash, at.UtcDateTime).ToListAsync(cancellationToken);
            if (pair is [{ IngestedAt: { } ingested, EnrichedAt: { } enriched }])
                lags.Add((enriched - ingested).TotalSeconds);
        }
        return lags;
    }

    /// <summary>Fills one side of a version's row if empty; returns the row when it did (none when that side was filled before).</summary>
    private static string Fill(string side) => $$"""
        INSERT INTO paper_versions ("PaperId", "ContentHash", "{{side}}") VALUES ({0}, {1}, {2})
        ON CONFLICT ("PaperId", "ContentHash") DO UPDATE SET "{{side}}" = excluded."{{side}}" WHERE paper_versions."{{side}}" IS NULL
        RETURNING "IngestedAt", "EnrichedAt"
        """;
}
