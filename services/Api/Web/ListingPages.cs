using Papers.Api.Browse;
using Papers.Api.Web.Pages;
using Papers.Domain;

namespace Papers.Api.Web;

/// <summary>The daily list (<c>/</c>, <c>/date/…</c>, <c>/week/…</c>, <c>/month/…</c>), topics and authors, as pages and feeds.</summary>
public static class ListingPages
{
    public const int PageSize = 30;

    public static IEndpointRouteBuilder MapListingPages(this IEndpointRouteBuilder pages)
    {
        pages.MapGet("/", LatestAsync);
        pages.MapGet("/date/{date}", (string date, [AsParameters] WebContext web, string? sort, string? p, string? format) =>
            DayRange.TryParseDay(date, out var range) ? DailyAsync(web, range, false, sort, p, format) : Task.FromResult(NotADay(web)));
        pages.MapGet("/week/{week}", (string week, [AsParameters] WebContext web, string? sort, string? p, string? format) =>
            DayRange.TryParseWeek(week, out var range) ? DailyAsync(web, range, false, sort, p, format) : Task.FromResult(NotADay(web)));
        pages.MapGet("/month/{month}", (string month, [AsParameters] WebContext web, string? sort, string? p, string? format) =>
            DayRange.TryParseMonth(month, out var range) ? DailyAsync(web, range, false, sort, p, format) : Task.FromResult(NotADay(web)));
        pages.MapGet("/topics", TopicsAsync);
        pages.MapGet("/topics/{id}", TopicAsync);
        pages.MapGet("/authors/{name}", AuthorAsync);
        return pages;
    }

    private static IResult NotADay(WebContext web) =>
        web.Message(StatusCodes.Status404NotFound, "No such day", "Days are written 2025-01-15, ISO weeks 2025-W03 and months 2025-01.");

    public static async Task<IResult> LatestAsync([AsParameters] WebContext web, string? sort, string? p, string? format) =>
        await DailyAsync(web, await DailyListing.LatestDayAsync(web.Db, web.Clock, web.Cancellation), true, sort, p, format);

    public static async Task<IResult> DailyAsync(WebContext web, DayRange range, bool isLatest, string? sort, string? p, string? format)
    {
        var trending = sort is null || sort.Equals("trending", StringComparison.OrdinalIgnoreCase);
        var path = isLatest ? "/" : range.Path;
        var sorted = trending ? path : path + "?sort=newest";
        var now = web.Clock.GetUtcNow();
        var title = isLatest ? "Daily Papers" : $"Daily Papers — {range.Label}";
        if (format is not null)
        {
            if (!Feeds.TryParse(format, out var feedFormat))
                return web.Message(StatusCodes.Status404NotFound, "No such feed", "Feeds come as format=rss or format=atom.");
            var items = await DailyListing.PageAsync(web.Db, range, trending, 0, Feeds.MaxItems, now, web.Cancellation, count: false);
            return Feeds.Result(new Feed(title, $"Papers listed {(range.Kind == RangeKind.Day ? "on" : "in")} {range.Label}, {(trending ? "trending" : "newest")} first.",
                web.Link(sorted), web.Link(web.Here), [.. items.Papers.Select(x => Feeds.Item(x, web.Site.Value))]), feedFormat);
        }

        var page = WebContext.PageNumber(p);
        var listing = await DailyListing.PageAsync(web.Db, range, trending, page * PageSize, PageSize, now, web.Cancellation);
        var earlier = await DailyListing.NeighbourDayAsync(web.Db, range, -1, web.Cancellation);
        var later = await DailyListing.NeighbourDayAsync(web.Db, range, +1, web.Cancellation);
        var votes = await web.VotesAsync(listing.Papers.Select(x => x.Paper.PaperId));
        var meta = new PageMeta(title, $"{listing.Total} papers listed {(range.Kind == RangeKind.Day ? "on" : "in")} {range.Label}, ranked by the research community's upvotes.",
            web.Link(isLatest ? "/" : range.Path))
        {
            Feeds = FeedLinks.For(title, sorted),
            NoIndex = page > 0 || !trending,
        };
        return WebContext.Page<DailyPage>(new DailyView(meta, range, trending, isLatest, listing,
            Pages(sorted, page, (page + 1) * PageSize < listing.Total),
            earlier is { } e && DayRange.Day(e).As(range.Kind) is { } before ? Sorted(before.Path, trending) : null,
            later is { } l && DayRange.Day(l).As(range.Kind) is { } after ? Sorted(after.Path, trending) : null, votes));
    }

    public static IResult TopicsAsync([AsParameters] WebContext web)
    {
        var topics = web.Facets.Topics();
        var meta = new PageMeta("Topics — Papers", "arXiv categories and topics of the papers here, each with its page and feeds.", web.Link("/topics"));
        return WebContext.Page<TopicsPage>(new TopicsView(meta, topics, []));
    }

    public static async Task<IResult> TopicAsync(string id, [AsParameters] WebContext web, string? p, string? format)
    {
        if (web.Facets.Topic(id) is not (var canonical, var name))
            return web.Message(StatusCodes.Status404NotFound, "No such topic", "No paper here carries this topic; the topics page lists those that do.", "All topics", "/topics");
        if (canonical != id)
            return TypedResults.Redirect(Format.TopicUrl(canonical) + web.Http.Request.QueryString, permanent: true);
        var filter = new PaperFilter(Topic: canonical);
        var path = Format.TopicUrl(canonical);
        var description = ArxivTaxonomy.TryGet(canonical, out var category) ? category.Description : null;
        if (format is not null)
            return await FeedAsync(web, format, $"{name} ({canonical}) — Papers", $"New papers on {name}.", path, filter);

        var page = WebContext.PageNumber(p);
        var recent = web.Facets.Page(filter, null, page * PageSize, PageSize + 1);
        var trending = page == 0 ? web.Facets.Trending(filter, web.Clock.GetUtcNow(), 30, 5) : [];
        var recentPapers = await DailyListing.LoadInOrderAsync(web.Db, [.. recent.Take(PageSize).Select(x => x.PaperId)], web.Cancellation);
        var trendingPapers = await DailyListing.LoadInOrderAsync(web.Db, [.. trending.Select(x => x.PaperId)], web.Cancellation);
        var votes = await web.VotesAsync(recentPapers.Concat(trendingPapers).Select(x => x.Paper.PaperId));
        var meta = new PageMeta($"{name} ({canonical}) — Papers", description is { Length: > 0 } ? Format.Snippet(description, 200) : $"Recent and trending papers on {name}.",
            web.Link(path))
        { Feeds = FeedLinks.For($"{name} — Papers", path), NoIndex = page > 0 };
        return WebContext.Page<TopicPage>(new TopicView(meta, canonical, name, description, category is not null, trendingPapers, recentPapers,
            web.Facets.CountMatching(filter), Pages(path, page, recent.Count > PageSize), votes));
    }

    public static async Task<IResult> AuthorAsync(string name, [AsParameters] WebContext web, string? p, string? format)
    {
        // Routing leaves an escaped slash escaped (a name may hold one: Format.AuthorUrl escapes it).
        name = name.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        var known = web.Facets.AuthorName(name);
        var display = known ?? name.Trim();
        var filter = new PaperFilter(Author: display);
        var path = Format.AuthorUrl(name);
        if (format is not null)
            return await FeedAsync(web, format, $"{display} — Papers", $"New papers by {display}.", path, filter);

        var page = WebContext.PageNumber(p);
        var found = web.Facets.Page(filter, null, page * PageSize, PageSize + 1);
        var papers = await DailyListing.LoadInOrderAsync(web.Db, [.. found.Take(PageSize).Select(x => x.PaperId)], web.Cancellation);
        var votes = await web.VotesAsync(papers.Select(x => x.Paper.PaperId));
        var meta = new PageMeta($"{display} — Papers", $"Papers by {display}, newest first.", web.Link(path)) { Feeds = FeedLinks.For($"{display} — Papers", path), NoIndex = page > 0 };
        return WebContext.Page<AuthorPage>(new AuthorView(meta, display, papers, web.Facets.CountMatching(filter), Pages(path, page, found.Count > PageSize), votes),
            known is null ? StatusCodes.Status404NotFound : StatusCodes.Status200OK);
    }

    /// <summary>The newest <see cref="Feeds.MaxItems"/> papers matching <paramref name="filter"/> as a feed.</summary>
    private static async Task<IResult> FeedAsync(WebContext web, string format, string title, string description, string path, PaperFilter filter)
    {
        if (!Feeds.TryParse(format, out var feedFormat))
            return web.Message(StatusCodes.Status404NotFound, "No such feed", "Feeds come as format=rss or format=atom.");
        var papers = await DailyListing.LoadInOrderAsync(web.Db, [.. web.Facets.Page(filter, null, 0, Feeds.MaxItems).Select(x => x.PaperId)], web.Cancellation);
        return Feeds.Result(new Feed(title, description, web.Link(path), web.Link(web.Here), [.. papers.Select(x => Feeds.Item(x, web.Site.Value))]), feedFormat);
    }

    private static string Sorted(string path, bool trending) => trending ? path : path + "?sort=newest";

    /// <summary>Links to the pages before and after <paramref name="page"/> of the listing at <paramref name="path"/> (which may carry a query).</summary>
    public static Paging Pages(string path, int page, bool hasMore)
    {
        string At(int n) => n == 0 ? path : $"{path}{(path.Contains('?') ? '&' : '?')}p={n}";
        return new Paging(page > 0 ? At(page - 1) : null, hasMore ? At(page + 1) : null, page);
    }
}
