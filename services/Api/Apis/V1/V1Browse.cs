using System.Globalization;
using Papers.Api.Analytics;
using Papers.Api.Browse;
using Papers.Api.Web;
using Papers.Contracts;
using Papers.Domain;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Apis.V1;

/// <summary><c>/v1/daily</c>, <c>/v1/search</c> and <c>/v1/topics</c>: the daily list, search with filters, and topics, cursor-paged.</summary>
public static class V1Browse
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);

    public static RouteGroupBuilder MapV1Browse(this RouteGroupBuilder v1)
    {
        v1.MapGet("/daily", DailyAsync).WithName("V1Daily")
            .WithSummary("The daily list of a day, ISO week or month (the latest day by default), trending (upvotes with time decay) or newest first.")
            .Produces<PageV1>().ProducesValidationProblem();
        v1.MapGet("/search", SearchAsync).WithName("V1Search")
            .WithSummary($"Hybrid keyword + semantic search (q, up to {PapersApi.MaxQueryLength} characters), or papers like an abstract (abstract, up to {PapersApi.MaxPastedLength}; it also counts as a text search); filters; each hit says how it matched.")
            .Produces<PageV1>().ProducesValidationProblem().RateLimited(RequestClass.Search);
        // A long abstract does not fit in a URL (servers and proxies stop near 8 KB): the same search as a JSON body.
        v1.MapPost("/search", SearchBodyAsync).WithName("V1SearchByBody")
            .WithSummary($"/v1/search with its parameters as a JSON body, for abstracts up to {PapersApi.MaxPastedLength} characters; a text search.")
            .Produces<PageV1>().ProducesValidationProblem().RateLimited(RequestClass.TextSearch).MaxBodySize(PapersApi.MaxPastedBodyBytes);
        v1.MapGet("/topics", TopicsAsync).WithName("V1Topics").WithSummary("Topics papers carry (arXiv categories, tagger topics), most papers first.")
            .Produces<PageV1>().ProducesValidationProblem();
        v1.MapGet("/topics/{id}", TopicAsync).WithName("V1Topic").WithSummary("One topic: its name, description, paper count and links.")
            .Produces<TopicV1>().ProducesProblem(StatusCodes.Status404NotFound);
        return v1;
    }

    public static async Task<IResult> DailyAsync([AsParameters] V1Context v1, TimeProvider clock,
        string? date = null, string? week = null, string? month = null, string sort = "trending", string? cursor = null, int limit = 50, string? fields = null)
    {
        var errors = new Dictionary<string, string[]>();
        var range = DayRange.Parse(date, week, month, errors);
        if (sort is not ("trending" or "newest"))
            errors["sort"] = [$"sort must be trending or newest; got '{Problems.Echo(sort)}'."];
        V1.Limit(limit, V1Papers.MaxLimit, errors);
        var selected = V1.Fields(fields, errors);
        var offset = V1.Offset(cursor, errors, 100_000);
        if (errors.Count > 0)
            return V1.Invalid(errors, errors.ContainsKey("cursor") ? ErrorCodes.InvalidCursor : ErrorCodes.InvalidParameter);

        range ??= await DailyListing.LatestDayAsync(v1.Db, clock, v1.Cancellation);
        var page = await DailyListing.PageAsync(v1.Db, range, sort == "trending", offset, limit, clock.GetUtcNow(), v1.Cancellation);
        var papers = page.Papers.Select(r => V1.Select(PaperV1.Of(r, v1.Facets, v1.Site.Value.Link), selected, v1.JsonOptions)).ToList();
        var next = offset + limit < page.Total ? V1.Cursor("o", (offset + limit).ToString(CultureInfo.InvariantCulture)) : null;
        return V1.Cached(new PageV1(papers, next, page.Total), v1.JsonOptions, MaxAge);
    }

    /// <summary>The body of <c>POST /v1/search</c>: the query parameters of <c>GET /v1/search</c>.</summary>
    public sealed record SearchBody(string? Q = null, string? Abstract = null, string? From = null, string? To = null, string? Category = null,
        string? Topic = null, string? Author = null, string? Cursor = null, int Limit = 20, string? Fields = null);

    public static async Task<IResult> SearchBodyAsync([AsParameters] V1Context v1, PaperSearch search, AnalyticsEvents analytics, TimeProvider clock, HttpContext http)
    {
        var (body, problem) = await PapersApi.ReadJsonAsync<SearchBody>(http.Request, v1.Cancellation);
        if (problem is not null)
            return problem;
        return await FindAsync(v1, search, analytics, clock, http.Response, body!);
    }

    public static async Task<IResult> SearchAsync([AsParameters] V1Context v1, PaperSearch search, AnalyticsEvents analytics, TimeProvider clock, HttpContext http,
        RateLimiters limits, string? q = null, string? @abstract = null, string? from = null, string? to = null, string? category = null, string? topic = null,
        string? author = null, string? cursor = null, int limit = 20, string? fields = null)
    {
        // An abstract costs what the POST form costs: a text search besides the request itself.
        if (!string.IsNullOrWhiteSpace(@abstract) && !await PapersApi.ChargeTextSearchAsync(http, limits))
            return TypedResults.Empty;
        return await FindAsync(v1, search, analytics, clock, http.Response, new SearchBody(q, @abstract, from, to, category, topic, author, cursor, limit, fields));
    }

    private static async Task<IResult> FindAsync(V1Context v1, PaperSearch search, AnalyticsEvents analytics, TimeProvider clock, HttpResponse response, SearchBody form)
    {
        var (q, @abstract, from, to, category, topic, author, cursor, limit, fields) = form;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(q) == string.IsNullOrWhiteSpace(@abstract))
            errors["q"] = ["Give q (a query) or abstract (a text to find papers like), not both."];
        else if (q?.Length > PapersApi.MaxQueryLength)
            errors["q"] = [$"q may have at most {PapersApi.MaxQueryLength} characters; got {q.Length}."];
        else if (@abstract?.Length > PapersApi.MaxPastedLength)
            errors["abstract"] = [$"abstract may have at most {PapersApi.MaxPastedLength} characters; got {@abstract.Length}."];
        var filter = V1Papers.Filter(from, to, category, topic, author, errors);
        V1.Limit(limit, V1Papers.MaxLimit, errors);
        var selected = V1.Fields(fields, errors);
        var offset = V1.Offset(cursor, errors, PaperSearch.MaxResults);
        if (errors.Count > 0)
            return V1.Invalid(errors, errors.ContainsKey("cursor") ? ErrorCodes.InvalidCursor : ErrorCodes.InvalidParameter);

        await v1.Hydrator.Loaded.WaitAsync(v1.Cancellation);
        var result = await search.FindAsync(q, @abstract, filter, v1.Cancellation);
        var found = result.Papers;
        result.Describe(response);
        if (offset == 0)
            analytics.Record(new SearchPerformed(q ?? Format.Snippet(@abstract!, PapersApi.MaxQueryLength), found.Count,
                [.. found.Take(10).Select(f => f.PaperId)], clock.GetUtcNow()));
        var shown = found.Skip(offset).Take(limit).ToDictionary(f => f.PaperId);
        var papers = await v1.PapersAsync(shown.Keys, selected);
        foreach (var paper in papers)
        {
            var hit = shown[(string)paper["id"]!];
            paper["match"] = new System.Text.Json.Nodes.JsonObject { ["by"] = hit.MatchedBy, ["score"] = hit.Score, ["similarity"] = hit.Similarity };
        }
        var next = offset + limit < found.Count ? V1.Cursor("o", (offset + limit).ToString(CultureInfo.InvariantCulture)) : null;
        return V1.Cached(new PageV1(papers, next, found.Count), v1.JsonOptions, MaxAge);
    }

    public static async Task<IResult> TopicsAsync([AsParameters] V1Context v1, string? cursor = null, int limit = 100)
    {
        var errors = new Dictionary<string, string[]>();
        V1.Limit(limit, 500, errors);
        var offset = V1.Offset(cursor, errors, 100_000);
        if (errors.Count > 0)
            return V1.Invalid(errors, errors.ContainsKey("cursor") ? ErrorCodes.InvalidCursor : ErrorCodes.InvalidParameter);
        await v1.Hydrator.Loaded.WaitAsync(v1.Cancellation);
        var topics = v1.Facets.Topics();
        var site = v1.Site.Value;
        var data = topics.Skip(offset).Take(limit)
            .Select(t => System.Text.Json.JsonSerializer.SerializeToNode(Topic(t.Id, t.Name, t.Papers, site), v1.JsonOptions)!.AsObject()).ToList();
        var next = offset + limit < topics.Count ? V1.Cursor("o", (offset + limit).ToString(CultureInfo.InvariantCulture)) : null;
        return V1.Cached(new PageV1(data, next, topics.Count), v1.JsonOptions, TimeSpan.FromMinutes(5));
    }

    public static async Task<IResult> TopicAsync(string id, [AsParameters] V1Context v1)
    {
        await v1.Hydrator.Loaded.WaitAsync(v1.Cancellation);
        if (v1.Facets.Topic(id) is not (var canonical, var name))
            return V1.NotFound("Topic", id);
        return V1.Cached(Topic(canonical, name, v1.Facets.CountMatching(new PaperFilter(Topic: canonical)), v1.Site.Value), v1.JsonOptions, TimeSpan.FromMinutes(5));
    }

    private static TopicV1 Topic(string id, string name, int papers, PublicSiteOptions site)
    {
        var category = ArxivTaxonomy.TryGet(id, out var c) ? c : null;
        var page = Format.TopicUrl(id);
        return new TopicV1(id, name, papers, category is not null, category?.Description,
            new TopicLinksV1(site.Link(page), site.Link($"/v1/papers?topic={Uri.EscapeDataString(id)}"), site.Link(page + "?format=rss"), site.Link(page + "?format=atom")));
    }
}
