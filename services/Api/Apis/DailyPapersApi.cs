using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Apis;

/// <summary><c>GET /api/daily_papers</c>, compatible with Hugging Face's: by date, ISO week or month, paged, bare array.</summary>
public static class DailyPapersApi
{
    public static IEndpointRouteBuilder MapDailyPapersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/daily_papers", GetDailyPapersAsync).WithName("DailyPapers").WithTags("Papers")
            .WithSummary("Papers of a day, ISO week (YYYY-Www) or month (YYYY-MM); the latest day when none is given.");
        return app;
    }

    /// <summary>The deepest page: beyond it a listing is a scan, not a page (and p × limit must not overflow).</summary>
    public const int MaxPage = 10_000;

    public static async Task<Results<Ok<List<PaperItemDto>>, ValidationProblem>> GetDailyPapersAsync(
        ApiDbContext db, CancellationToken cancellationToken,
        string? date = null, string? week = null, string? month = null, int p = 0, int limit = 50, string sort = "publishedAt")
    {
        var errors = new Dictionary<string, string[]>();
        if (new[] { date, week, month }.Count(v => v is not null) > 1)
            errors["date"] = ["Give at most one of date, week and month."];
        if (limit is < 1 or > 100)
            errors["limit"] = [$"limit must be between 1 and 100; got {limit}."];
        if (p is < 0 or > MaxPage)
            errors["p"] = [$"p (the page, from 0) must be between 0 and {MaxPage}; got {p}."];
        if (sort is not ("publishedAt" or "trending"))
            errors["sort"] = [$"sort must be publishedAt or trending; got '{Problems.Echo(sort)}'."];
        var range = ParseRange(date, week, month, errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var (from, to) = range ?? await LatestHarvestedDayAsync(db, cancellationToken);
        // A day's list: the papers its sources listed that day, and the papers submitted to it by arXiv id.
        var entries = db.Submissions.Where(s => s.Status == SubmissionStatus.Listed && s.Kind == SubmissionKind.ArxivId && s.ListedOn >= from && s.ListedOn <= to);
        var query = db.Papers.AsNoTracking().Where(x => x.ListedOn >= from && x.ListedOn <= to || entries.Any(s => s.PaperId == x.PaperId));
        query = sort == "trending"
            ? query.OrderByDescending(x => x.SourceUpvotes + x.LocalUpvotes).ThenByDescending(x => x.PublishedOn).ThenBy(x => x.PaperId)
            : query.OrderByDescending(x => x.PublishedOn).ThenByDescending(x => x.SourceUpvotes + x.LocalUpvotes).ThenBy(x => x.PaperId);
        var papers = await query.Skip(p * limit).Take(limit).ToListAsync(cancellationToken);
        var ids = papers.Select(x => x.PaperId).ToList();
        var enrichments = await db.Enrichments.AsNoTracking().Where(e => ids.Contains(e.PaperId)).ToDictionaryAsync(e => e.PaperId, cancellationToken);
        return TypedResults.Ok(papers.Select(x => x.ToItem(enrichments.GetValueOrDefault(x.PaperId))).ToList());
    }

    /// <summary>
    /// The default list: the latest day a source (a harvest, an import) listed papers on. Papers
    /// that only submissions brought never move it, so submissions cannot take the front page.
    /// </summary>
    private static async Task<(DateOnly, DateOnly)> LatestHarvestedDayAsync(ApiDbContext db, CancellationToken cancellationToken)
    {
        var latest = await db.Papers.Where(x => x.Source != "submission").MaxAsync(x => (DateOnly?)x.ListedOn, cancellationToken)
            ?? DateOnly.FromDateTime(DateTime.UtcNow);
        return (latest, latest);
    }

    private static (DateOnly From, DateOnly To)? ParseRange(string? date, string? week, string? month, Dictionary<string, string[]> errors)
    {
        if (date is not null)
        {
            if (DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return (day, day);
            errors["date"] = [$"date must be YYYY-MM-DD; got '{Problems.Echo(date)}'."];
        }
        if (week is not null)
        {
            if (week.Length == 8 && week[4] == '-' && week[5] == 'W'
                && int.TryParse(week[..4], NumberStyles.None, CultureInfo.InvariantCulture, out var y)
                && int.TryParse(week[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var w)
                && y is >= 1 and < 9999 && w >= 1 && w <= ISOWeek.GetWeeksInYear(y))
            {
                var monday = DateOnly.FromDateTime(ISOWeek.ToDateTime(y, w, DayOfWeek.Monday));
                return (monday, monday.AddDays(6));
            }
            errors["week"] = [$"week must be an ISO week YYYY-Www of a year from 0001 to 9998 (e.g. 2025-W45); got '{Problems.Echo(week)}'."];
        }
        if (month is not null)
        {
            if (DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
                return (first, new DateOnly(first.Year, first.Month, DateTime.DaysInMonth(first.Year, first.Month)));
            errors["month"] = [$"month must be YYYY-MM; got '{Problems.Echo(month)}'."];
        }
        return null;
    }
}
