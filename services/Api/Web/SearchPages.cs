using System.Globalization;
using Papers.Api.Analytics;
using Papers.Api.Apis;
using Papers.Api.Browse;
using Papers.Api.Web.Pages;
using Papers.Contracts;
using Papers.Domain;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Web;

/// <summary>The search page (<c>/search</c>, also as a feed) and the subscribe page (<c>/subscribe</c>).</summary>
public static class SearchPages
{
    public const int PageSize = 20;

    /// <summary>The longest page or feed address the search page writes: well within Kestrel's 8 KB request line, with room for a proxy's additions.</summary>
    private const int MaxLinkLength = 4_000;

    public static IEndpointRouteBuilder MapSearchPages(this IEndpointRouteBuilder pages)
    {
        pages.MapGet("/search", SearchAsync).RateLimited(RequestClass.Search);
        // The "paste an abstract" form posts: a long abstract does not fit in a URL (servers and proxies stop near 8 KB).
        pages.MapPost("/search", SearchFormAsync).RateLimited(RequestClass.TextSearch).MaxBodySize(PapersApi.MaxPastedBodyBytes);
        pages.MapGet("/subscribe", Subscribe);
        return pages;
    }

    /// <summary>
    /// <c>POST /search</c>: the "paste an abstract" form (URL-encoded or multipart), answered with the
    /// search page as <c>GET /search</c> would; a text search. It changes nothing, so it needs no
    /// antiforgery token.
    /// </summary>
    public static async Task<IResult> SearchFormAsync([AsParameters] WebContext web, PaperSearch search, AnalyticsEvents analytics)
    {
        var request = web.Http.Request;
        if (!request.HasFormContentType)
            return web.Message(StatusCodes.Status415UnsupportedMediaType, "Not a form",
                $"Send the search as a form (application/x-www-form-urlencoded); Content-Type was “{Problems.Echo(request.ContentType ?? "")}”.");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(web.Cancellation);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // A malformed form (a multipart body cut short, no boundary, past the form limits).
            return web.Message(StatusCodes.Status400BadRequest, "The form can't be read", Problems.Echo(ex.Message));
        }
        string? Field(string name) => form.TryGetValue(name, out var v) ? v.ToString() : null;
        return await RenderAsync(web, search, analytics, Field("q"), Field("abstract"), Field("from"), Field("to"), Field("category"), Field("topic"), p: null, format: null);
    }

    public static async Task<IResult> SearchAsync([AsParameters] WebContext web, PaperSearch search, AnalyticsEvents analytics, RateLimiters limits,
        string? q, string? @abstract, string? from, string? to, string? category, string? topic, string? p, string? format)
    {
        // An abstract costs what the POST form costs: a text search besides the request itself.
        if (!string.IsNullOrWhiteSpace(@abstract) && !await PapersApi.ChargeTextSearchAsync(web.Http, limits))
            return Results.Empty;
        return await RenderAsync(web, search, analytics, q, @abstract, from, to, category, topic, p, format);
    }

    private static async Task<IResult> RenderAsync(WebContext web, PaperSearch search, AnalyticsEvents analytics,
        string? q, string? @abstract, string? from, string? to, string? category, string? topic, string? p, string? format)
    {
        var errors = new List<string>();
        q = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        @abstract = string.IsNullOrWhiteSpace(@abstract) ? null : @abstract.Trim();
        if (q?.Length > PapersApi.MaxQueryLength)
            errors.Add($"The search may have at most {PapersApi.MaxQueryLength} characters; it has {q.Length}. Paste long texts as an abstract.");
        if (@abstract?.Length > PapersApi.MaxPastedLength)
            errors.Add($"The abstract may have at most {PapersApi.MaxPastedLength} characters; it has {@abstract.Length}.");
        var fromDay = Day(from, "from", errors);
        var toDay = Day(to, "until", errors);
        category = string.IsNullOrWhiteSpace(category) ? null : category.Trim();
        topic = string.IsNullOrWhiteSpace(topic) ? null : topic.Trim();
        if (category is not null && !ArxivTaxonomy.IsCategory(category))
            errors.Add($"“{Problems.Echo(category)}” is not an arXiv category.");
        var form = new SearchForm(q, @abstract, fromDay, toDay, category, topic);
        var filter = new PaperFilter(fromDay, toDay, category, topic);

        var result = form.IsEmpty || errors.Count > 0 ? FoundPapers.None : await search.FindAsync(q, @abstract, filter, web.Cancellation);
        var found = result.Papers;
        if (!form.IsEmpty && errors.Count == 0)
        {
            result.Describe(web.Http.Response);
            analytics.Record(new SearchPerformed(q ?? Format.Snippet(@abstract!, PapersApi.MaxQueryLength), found.Count,
                [.. found.Take(10).Select(f => f.PaperId)], web.Clock.GetUtcNow()));
        }
        var title = form.IsEmpty ? "Search — Papers" : form.ByAbstract ? "Papers like an abstract — Papers" : $"{q} — search — Papers";
        var query = Query(form);

        if (format is not null)
        {
            if (!Feeds.TryParse(format, out var feedFormat) || errors.Count > 0 || form.IsEmpty)
                return web.Message(StatusCodes.Status400BadRequest, "No such feed",
                    errors.Count > 0 ? string.Join(" ", errors) : "A search feed needs q= (or abstract=) and format=rss or format=atom.");
            var items = await DailyListing.LoadInOrderAsync(web.Db, [.. found.Take(Feeds.MaxItems).Select(f => f.PaperId)], web.Cancellation);
            return Feeds.Result(new Feed(title, form.ByAbstract ? "Papers like an abstract, best first." : $"Papers matching “{q}”, best first.",
                web.Link("/search" + query), web.Link(web.Here), [.. items.Select(x => Feeds.Item(x, web.Site.Value))]), feedFormat);
        }

        var page = WebContext.PageNumber(p);
        var shown = found.Skip(page * PageSize).Take(PageSize).ToList();
        var rows = await DailyListing.LoadInOrderAsync(web.Db, [.. shown.Select(f => f.PaperId)], web.Cancellation);
        var hits = shown.ToDictionary(f => f.PaperId);
        var votes = await web.VotesAsync(rows.Select(r => r.Paper.PaperId));
        // A long pasted abstract (it came by POST) makes no link: a URL carrying it would pass what
        // browsers, proxies and Kestrel's 8 KB request line take, so its later pages and feeds would
        // fail. The page shows the best results without them.
        var linkable = ("/search" + query).Length <= MaxLinkLength;
        var meta = new PageMeta(title, form.IsEmpty ? "Search papers by keyword and by meaning, or find papers like an abstract." : $"{found.Count} papers found.",
            web.Link(linkable ? "/search" + query : "/search"))
        {
            NoIndex = !form.IsEmpty,
            Feeds = form.IsEmpty || errors.Count > 0 || !linkable ? null : FeedLinks.For(form.ByAbstract ? "Papers like an abstract" : $"Search: {q}", "/search" + query),
        };
        return WebContext.Page<SearchPage>(new SearchView(meta, form,
            [.. rows.Select(r => new SearchRow(r, hits[r.Paper.PaperId].Score, hits[r.Paper.PaperId].Similarity, hits[r.Paper.PaperId].MatchedBy))],
            found.Count, ListingPages.Pages("/search" + query, page, linkable && (page + 1) * PageSize < found.Count), errors,
            form.ByAbstract ? new HashSet<string>() : Format.Terms(q), web.Facets.Topics(), votes),
            errors.Count > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
    }

    /// <summary>
    /// <c>/subscribe</c>: the form, and what became of it: Notifications answers the form's POST to
    /// <c>/api/subscriptions</c> by sending the browser here with <c>sent=1</c> or <c>error=</c> a code.
    /// </summary>
    public static IResult Subscribe([AsParameters] WebContext web, string? sent, string? error, string? email, string? topics)
    {
        var message = error switch
        {
            null => null,
            "email" => "That address can't receive our mail: check it and send the form again.",
            "topics" => "Give between 1 and 20 topics, each up to 100 characters, separated by commas.",
            "rate" => "Too many subscription requests came from your address; try again in an hour.",
            _ => "The subscription could not be made: check the form and send it again.",
        };
        var meta = new PageMeta("Subscribe — Papers", "Get trending papers on your topics in your e-mail inbox.", web.Link("/subscribe")) { NoIndex = sent is not null || error is not null };
        return WebContext.Page<SubscribePage>(new SubscribeView(meta, sent == "1", message, Bounded(email), Bounded(topics)),
            message is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static string? Bounded(string? text) => text is null ? null : text.Length > 2_000 ? text[..2_000] : text;

    private static DateOnly? Day(string? text, string name, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return day;
        errors.Add($"The date {name} must be written YYYY-MM-DD; got “{Problems.Echo(text)}”.");
        return null;
    }

    /// <summary>The query string of a search, without page or format: the page's own address.</summary>
    private static string Query(SearchForm form)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                parts.Add($"{name}={Uri.EscapeDataString(value)}");
        }
        Add("q", form.Query);
        Add("abstract", form.Abstract);
        Add("from", Format.Iso(form.From));
        Add("to", Format.Iso(form.To));
        Add("category", form.Category);
        Add("topic", form.Topic);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
