using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Api.Browse;
using Papers.Api.Data;
using Papers.Domain;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Apis.V1;

/// <summary>What <c>/v1</c> paper handlers need, bound with <c>[AsParameters]</c>.</summary>
public readonly record struct V1Context(ApiDbContext Db, FacetIndex Facets, FacetHydrator Hydrator, IOptions<JsonOptions> Json,
    IOptions<PublicSiteOptions> Site, CancellationToken Cancellation)
{
    public JsonSerializerOptions JsonOptions => Json.Value.SerializerOptions;

    public async Task<List<JsonObject>> PapersAsync(IReadOnlyCollection<string> ids, IReadOnlySet<string>? fields)
    {
        var rows = await DailyListing.LoadInOrderAsync(Db, ids, Cancellation);
        var site = Site.Value;
        var facets = Facets;
        var json = JsonOptions;
        return [.. rows.Select(r => V1.Select(PaperV1.Of(r, facets, site.Link), fields, json))];
    }
}

/// <summary>
/// <c>/v1/papers</c>: every paper newest first with filters and cursor paging, one paper, a batch of up
/// to 500, and similar papers. Reads carry ETags and <c>Cache-Control</c>.
/// </summary>
public static class V1Papers
{
    public const int MaxBatch = 500, MaxLimit = 100, MaxSimilar = 200;
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);

    public static RouteGroupBuilder MapV1Papers(this RouteGroupBuilder v1)
    {
        v1.MapGet("/papers", ListAsync).WithName("V1ListPapers")
            .WithSummary("Papers, newest listing first: filters by publication date (from, to), category, topic and author; cursor paging; fields= selection.")
            .Produces<PageV1>().ProducesValidationProblem();
        v1.MapGet("/papers/{id}", GetAsync).WithName("V1GetPaper").WithSummary("One paper.")
            .Produces<PaperV1>().ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapPost("/papers/batch", BatchAsync).WithName("V1BatchPapers")
            .WithSummary($"Up to {MaxBatch} papers by id in one request; data[i] answers ids[i] (null when unknown).")
            .Produces<BatchV1>().ProducesValidationProblem().RateLimited(RequestClass.Search);
        v1.MapGet("/papers/{id}/similar", SimilarAsync).WithName("V1SimilarPapers")
            .WithSummary("Papers nearest in meaning, best first, each with its similarity; cursor paging.")
            .Produces<PageV1>().ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem().RateLimited(RequestClass.Search);
        return v1;
    }

    /// <summary>The filters every <c>/v1</c> listing takes, validated.</summary>
    public static PaperFilter Filter(string? from, string? to, string? category, string? topic, string? author, Dictionary<string, string[]> errors)
    {
        var fromDay = V1.Date(from, "from", errors);
        var toDay = V1.Date(to, "to", errors);
        if (category is not null && !ArxivTaxonomy.IsCategory(category))
            errors["category"] = [$"category must be an arXiv category such as cs.CL; got '{Problems.Echo(category)}'."];
        if (topic is { Length: > 100 })
            errors["topic"] = [$"topic may have at most 100 characters; got {topic.Length}."];
        if (author is { Length: > 300 })
            errors["author"] = [$"author may have at most 300 characters; got {author.Length}."];
        return new PaperFilter(fromDay, toDay, category, topic, author);
    }

    public static async Task<IResult> ListAsync([AsParameters] V1Context v1,
        string? from = null, string? to = null, string? category = null, string? topic = null, string? author = null,
        string? cursor = null, int limit = 50, string? fields = null)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = Filter(from, to, category, topic, author, errors);
        V1.Limit(limit, MaxLimit, errors);
        var selected = V1.Fields(fields, errors);
        ListingKey? after = null;
        if (V1.FromCursor(cursor, "p", errors) is { } position)
        {
            var parts = position.Split('|', 2);
            if (parts.Length == 2 && DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", out var day))
                after = new ListingKey(day, parts[1]);
            else
                errors["cursor"] = [$"cursor '{Problems.Echo(cursor)}' is not one this listing issued; start without one."];
        }
        if (errors.Count > 0)
            return V1.Invalid(errors, errors.ContainsKey("cursor") ? ErrorCodes.InvalidCursor : errors.ContainsKey("fields") ? ErrorCodes.UnknownField : ErrorCodes.InvalidParameter);

        await v1.Hydrator.Loaded.WaitAsync(v1.Cancellation);
        var page = v1.Facets.Page(filter, after, 0, limit + 1);
        var shown = page.Take(limit).ToList();
        var next = page.Count > limit ? V1.Cursor("p", $"{shown[^1].ListedOn:yyyy-MM-dd}|{shown[^1].PaperId}") : null;
        return V1.Cached(new PageV1(await v1.PapersAsync([.. shown.Select(p => p.PaperId)], selected), next), v1.JsonOptions, MaxAge);
    }

    public static async Task<IResult> GetAsync(string id, [AsParameters] V1Context v1, string? fields = null)
    {
        var errors = new Dictionary<string, string[]>();
        var selected = V1.Fields(fields, errors);
        if (errors.Count > 0)
            return V1.Invalid(errors, ErrorCodes.UnknownField);
        var papers = await v1.PapersAsync([id], selected);
        return papers.Count == 0 ? V1.NotFound("Paper", id) : V1.Cached(papers[0], v1.JsonOptions, MaxAge);
    }

    public static async Task<Results<ValidationProblem, Ok<BatchV1>>> BatchAsync(BatchRequestV1 request, [AsParameters] V1Context v1, string? fields = null)
    {
        var errors = new Dictionary<string, string[]>();
        var selected = V1.Fields(fields, errors);
        var ids = request.Ids ?? [];
        if (ids.Count is 0 or > MaxBatch)
            errors["ids"] = [$"Give between 1 and {MaxBatch} ids; got {ids.Count}."];
        else if (ids.Any(i => string.IsNullOrWhiteSpace(i) || i.Length > 64))
            errors["ids"] = ["Each id is a paper id of at most 64 characters."];
        if (errors.Count > 0)
            return V1.Invalid(errors, errors.ContainsKey("fields") ? ErrorCodes.UnknownField : ErrorCodes.InvalidParameter);

        var found = (await v1.PapersAsync([.. ids.Distinct(StringComparer.Ordinal)], selected)).ToDictionary(p => (string)p["id"]!, StringComparer.Ordinal);
        return TypedResults.Ok(new BatchV1([.. ids.Select(i => found.TryGetValue(i, out var p) ? p.DeepClone().AsObject() : null)]));
    }

    public static async Task<IResult> SimilarAsync(string id, [AsParameters] V1Context v1, PaperSearch search,
        string? cursor = null, int limit = 10, string? fields = null)
    {
        var errors = new Dictionary<string, string[]>();
        V1.Limit(limit, 50, errors);
        var selected = V1.Fields(fields, errors);
        var offset = V1.Offset(cursor, errors, MaxSimilar);
        if (errors.Count > 0)
            return V1.Invalid(errors, errors.ContainsKey("cursor") ? ErrorCodes.InvalidCursor : ErrorCodes.InvalidParameter);
        if (!await v1.Db.Papers.AnyAsync(p => p.PaperId == id, v1.Cancellation))
            return V1.NotFound("Paper", id);

        var similar = search.Similar(id, Math.Min(MaxSimilar, offset + limit + 1));
        var shown = similar.Skip(offset).Take(limit).ToList();
        var papers = await v1.PapersAsync([.. shown.Select(s => s.PaperId)], selected);
        var similarity = shown.ToDictionary(s => s.PaperId, s => s.Similarity);
        foreach (var paper in papers)
            paper["similarity"] = similarity[(string)paper["id"]!];
        var next = similar.Count > offset + limit ? V1.Cursor("o", (offset + limit).ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        return V1.Cached(new PageV1(papers, next), v1.JsonOptions, MaxAge);
    }
}
