using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;

namespace Papers.Api.Browse;

/// <summary>A paper as listings show it: the row and its current enrichment, if any.</summary>
public sealed record ListedPaper(PaperRecord Paper, EnrichmentRecord? Enrichment)
{
    /// <summary>The enrichment, if it was made for the paper's current content.</summary>
    public EnrichmentRecord? Current => Enrichment is { } e && e.ContentHash == Paper.ContentHash ? e : null;
}

/// <summary>One page of a listing, and how many papers the whole listing has.</summary>
public sealed record ListingPage(IReadOnlyList<ListedPaper> Papers, int Total);

/// <summary>
/// The daily list: the papers a day, ISO week or month listed, newest publication first or
/// <see cref="Trending"/>; what <c>/api/daily_papers</c>, the pages and their feeds show.
/// </summary>
public static class DailyListing
{
    /// <summary>
    /// The default list: the latest day a source (a harvest, an import) listed papers on. Papers
    /// that only submissions brought never move it, so submissions cannot take the front page.
    /// </summary>
    public static async Task<DayRange> LatestDayAsync(ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        // Newest first along the ListedOn index, stopping at the first harvested paper (a MAX with
        // this filter would read the whole table).
        var latest = await db.Papers.AsNoTracking().Where(p => p.Source != "submission")
            .OrderByDescending(p => p.ListedOn).Select(p => (DateOnly?)p.ListedOn).FirstOrDefaultAsync(cancellationToken);
        return DayRange.Day(latest ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>The nearest day before (-1) or after (+1) the range on which a source listed papers.</summary>
    public static Task<DateOnly?> NeighbourDayAsync(ApiDbContext db, DayRange range, int direction, CancellationToken cancellationToken)
    {
        var harvested = db.Papers.AsNoTracking().Where(p => p.Source != "submission");
        return direction < 0
            ? harvested.Where(p => p.ListedOn < range.From).OrderByDescending(p => p.ListedOn).Select(p => (DateOnly?)p.ListedOn).FirstOrDefaultAsync(cancellationToken)
            : harvested.Where(p => p.ListedOn > range.To).OrderBy(p => p.ListedOn).Select(p => (DateOnly?)p.ListedOn).FirstOrDefaultAsync(cancellationToken);
    }

    /// <param name="submitter">Only papers this source (<c>arxiv-oai</c>) or caller (<c>v-…</c>) brought, as Hugging Face's <c>submitter=</c>.</param>
    public static async Task<ListingPage> PageAsync(ApiDbContext db, DayRange range, bool trending, int skip, int take,
        DateTimeOffset now, CancellationToken cancellationToken, bool count = true, string? submitter = null)
    {
        var (from, to) = (range.From, range.To);
        // A day's list: the papers its sources listed that day, and the papers submitted to it by arXiv id.
        // Two indexed reads joined by UNION, not one OR (which would read the whole papers table).
        var submitted = await db.Submissions.AsNoTracking()
            .Where(s => s.Status == SubmissionStatus.Listed && s.Kind == SubmissionKind.ArxivId && s.ListedOn >= from && s.ListedOn <= to)
            .Select(s => s.PaperId!).ToListAsync(cancellationToken);
        var query = db.Papers.AsNoTracking().Where(x => x.ListedOn >= from && x.ListedOn <= to);
        if (submitted.Count > 0)
            query = query.Union(db.Papers.AsNoTracking().Where(x => submitted.Contains(x.PaperId)));
        if (submitter is not null)
            query = query.Where(x => x.Source == "submission" ? x.SubmittedBy == submitter : x.Source == submitter);

        List<string> ids;
        int total;
        if (trending)
        {
            // The decay needs each paper's age: rank the range's (small) candidate rows here.
            var candidates = await query.Select(x => new { x.PaperId, x.ListedOn, x.PublishedOn, Upvotes = x.SourceUpvotes + x.LocalUpvotes })
                .ToListAsync(cancellationToken);
            total = candidates.Count;
            ids = [.. Trending.Order(candidates, Trending.AsOf(to, now), c => c.Upvotes, c => c.ListedOn, c => c.PublishedOn, c => c.PaperId)
                .Skip(skip).Take(take).Select(c => c.PaperId)];
        }
        else
        {
            total = count ? await query.CountAsync(cancellationToken) : -1;
            ids = await query.OrderByDescending(x => x.PublishedOn).ThenByDescending(x => x.SourceUpvotes + x.LocalUpvotes).ThenBy(x => x.PaperId)
                .Skip(skip).Take(take).Select(x => x.PaperId).ToListAsync(cancellationToken);
        }
        return new ListingPage(await LoadInOrderAsync(db, ids, cancellationToken), total);
    }

    /// <summary>The papers of <paramref name="ids"/> in that order, skipping ids not found.</summary>
    public static async Task<IReadOnlyList<ListedPaper>> LoadInOrderAsync(ApiDbContext db, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
            return [];
        var rows = await db.LoadAsync(ids, cancellationToken);
        return [.. ids.Where(rows.ContainsKey).Select(id => new ListedPaper(rows[id].Paper, rows[id].Enrichment))];
    }
}
