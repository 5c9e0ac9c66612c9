using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Papers.Analytics.Data;
using Papers.Contracts;

namespace Papers.Analytics.Archive;

/// <summary>
/// The enrichment lag of each paper version, for the metric: seconds from its first ingestion to
/// its first enrichment. The two events travel separately and may be archived in either order, by
/// any replica: each archived one fills its side of the version's row only if that side is empty
/// (<c>INSERT … ON CONFLICT DO UPDATE … WHERE … IS NULL RETURNING</c>, a statement per batch, which
/// waits for another replica's transaction on the same row), and the one that finds the other side filled has
/// completed the pair: that one reports the lag, once. A later enrichment of the same content (by
/// a new model) is not lag.
/// </summary>
public static class EnrichmentLags
{
    private sealed record Pair(DateTime? IngestedAt, DateTime? EnrichedAt);

    private sealed record Side(string PaperId, string ContentHash, DateTime At, string Column);

    // Three parameters a version: well inside SQLite's and PostgreSQL's limits.
    private const int Chunk = 1000;

    /// <summary>Records <paramref name="rows"/>' side of their versions in <paramref name="db"/>'s transaction; returns the lags (seconds) they completed.</summary>
    public static async Task<List<double>> PairAsync(AnalyticsDbContext db, IEnumerable<ArchiveRow> rows, CancellationToken cancellationToken)
    {
        var sides = rows.Select(row => row.Message switch
        {
            PaperIngested i => new Side(i.PaperId, i.ContentHash, i.IngestedAt.UtcDateTime, nameof(PaperVersion.IngestedAt)),
            PaperEnriched e => new Side(e.PaperId, e.ContentHash, e.EnrichedAt.UtcDateTime, nameof(PaperVersion.EnrichedAt)),
            _ => null,
        }).OfType<Side>();
        var lags = new List<double>();
        // One statement per side and chunk, not one a row (a batch is up to Analytics:BatchSize
        // events). A version appears once a statement (PostgreSQL refuses to update a row twice in
        // one), with its earliest time; versions in one order, so that two replicas filling
        // overlapping versions lock them in the same order.
        foreach (var column in sides.GroupBy(s => s.Column))
        {
            var versions = column.GroupBy(s => (s.PaperId, s.ContentHash)).Select(g => g.MinBy(s => s.At)!)
                .OrderBy(s => s.PaperId, StringComparer.Ordinal).ThenBy(s => s.ContentHash, StringComparer.Ordinal);
            foreach (var chunk in versions.Chunk(Chunk))
            {
                var filled = await db.Database.SqlQuery<Pair>(Fill(db, column.Key, chunk)).ToListAsync(cancellationToken);
                lags.AddRange(filled.Where(p => p is { IngestedAt: not null, EnrichedAt: not null }).Select(p => (p.EnrichedAt!.Value - p.IngestedAt!.Value).TotalSeconds));
            }
        }
        return lags;
    }

    /// <summary>Fills one side of each version's row if empty; returns the rows it filled (none for a side filled before).</summary>
    private static FormattableString Fill(AnalyticsDbContext db, string column, Side[] versions)
    {
        var conflict = $"ON CONFLICT (\"PaperId\", \"ContentHash\") DO UPDATE SET \"{column}\" = excluded.\"{column}\" WHERE paper_versions.\"{column}\" IS NULL RETURNING \"IngestedAt\", \"EnrichedAt\"";
        if (db.Database.IsNpgsql())
        {
            // Three array parameters, as the message-id claim does: planned at once whatever the count.
            return FormattableStringFactory.Create(
                $"INSERT INTO paper_versions (\"PaperId\", \"ContentHash\", \"{column}\") SELECT p, h, a FROM unnest({{0}}, {{1}}, {{2}}) AS t(p, h, a) {conflict}",
                versions.Select(v => v.PaperId).ToArray(), versions.Select(v => v.ContentHash).ToArray(), versions.Select(v => v.At).ToArray());
        }
        var values = string.Join(", ", versions.Select((_, i) => $"({{{3 * i}}}, {{{3 * i + 1}}}, {{{3 * i + 2}}})"));
        return FormattableStringFactory.Create(
            $"INSERT INTO paper_versions (\"PaperId\", \"ContentHash\", \"{column}\") VALUES {values} {conflict}",
            [.. versions.SelectMany(v => new object[] { v.PaperId, v.ContentHash, v.At })]);
    }
}
