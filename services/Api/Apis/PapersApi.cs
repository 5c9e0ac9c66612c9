using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Analytics;
using Papers.Api.Data;
using Papers.Api.Search;
using Papers.Contracts;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Apis;

/// <summary>One paper, cursor-paged listing, search and similar papers.</summary>
public static class PapersApi
{
    public const int MaxQueryLength = 250;

    /// <summary>The most characters a pasted text (an abstract) may have in the POST forms; Enrichment's <c>/embed</c> takes as many.</summary>
    public const int MaxPastedLength = 10_000;

    /// <summary>A POST body: the pasted text JSON-escaped at worst (6 bytes a character), with room for the rest.</summary>
    public const long MaxPastedBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapPapersApi(this IEndpointRouteBuilder app)
    {
        var papers = app.MapGroup("/api/papers").WithTags("Papers");
        papers.MapGet("/", ListAsync).WithName("ListPapers").WithSummary("All papers, newest listing first, cursor-paged.");
        papers.MapGet("/search", SearchAsync).WithName("SearchPapers").WithSummary("Hybrid keyword + semantic search.").RateLimited(RequestClass.Search);
        papers.MapGet("/{id}", GetAsync).WithName("GetPaper");
        papers.MapGet("/{id}/similar", SimilarAsync).WithName("SimilarPapers").WithSummary("Papers most like this one, in words and meaning.").RateLimited(RequestClass.Search);
        // The pasted-text forms cost a full-length embedding and a long keyword query: a stricter limit.
        papers.MapPost("/search", SearchTextAsync).WithName("SearchPapersByText")
            .WithSummary("Hybrid search by a long text (up to 10,000 characters), such as an abstract.")
            .RateLimited(RequestClass.TextSearch).MaxBodySize(MaxPastedBodyBytes);
        papers.MapPost("/similar", SimilarToTextAsync).WithName("SimilarToText")
            .WithSummary("Papers most like a pasted text (up to 10,000 characters), in words and meaning.")
            .RateLimited(RequestClass.TextSearch).MaxBodySize(MaxPastedBodyBytes);
        return app;
    }

    public static async Task<Results<Ok<PaperDto>, ProblemHttpResult>> GetAsync(
        string id, ApiDbContext db, AnalyticsEvents analytics, TimeProvider clock, CancellationToken cancellationToken)
    {
        var found = await db.LoadAsync([id], cancellationToken);
        if (!found.TryGetValue(id, out var row))
            return NotFound(id);
        analytics.Record(new PaperViewed(id, clock.GetUtcNow()));
        return TypedResults.Ok(row.Paper.ToDto(row.Enrichment));
    }

    public static async Task<Results<Ok<PaperPage>, ValidationProblem>> ListAsync(
        ApiDbContext db, CancellationToken cancellationToken, string? cursor = null, int limit = 50)
    {
        if (limit is < 1 or > 100)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and 100; got {limit}."] });
        var query = db.Papers.AsNoTracking();
        if (cursor is not null)
        {
            if (DecodeCursor(cursor) is not var (listedOn, paperId))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [$"cursor '{Problems.Echo(cursor)}' is not one this API issued."] });
            query = query.Where(p => p.ListedOn < listedOn || p.ListedOn == listedOn && string.Compare(p.PaperId, paperId) > 0);
        }
        var page = await query.OrderByDescending(p => p.ListedOn).ThenBy(p => p.PaperId).Take(limit + 1).ToListAsync(cancellationToken);
        var items = page.Take(limit).ToList();
        var ids = items.Select(p => p.PaperId).ToList();
        var enrichments = await db.Enrichments.AsNoTracking().Where(e => ids.Contains(e.PaperId)).ToDictionaryAsync(e => e.PaperId, cancellationToken);
        var next = page.Count > limit ? EncodeCursor(items[^1].ListedOn, items[^1].PaperId) : null;
        return TypedResults.Ok(new PaperPage(items.Select(p => p.ToItem(enrichments.GetValueOrDefault(p.PaperId))).ToList(), next));
    }

    /// <summary>Response header of a search: <c>hybrid</c> (keywords and the query's embedding) or <c>keyword</c> (the embedding failed).</summary>
    public const string SearchModeHeader = "X-Search-Mode";

    public static async Task<Results<Ok<List<PaperItemDto>>, ValidationProblem>> SearchAsync(
        ApiDbContext db, ISearchIndex index, ITextEmbedder embedder, AnalyticsEvents analytics, TimeProvider clock,
        ILoggerFactory logs, HttpResponse response, CancellationToken cancellationToken, string? q = null, int limit = 20)
    {
        if (Errors("q", q, MaxQueryLength, limit, 120) is { } errors)
            return TypedResults.ValidationProblem(errors);
        var items = await FindAsync(q!, (vector, model) => index.Search(q!, vector, model, limit), db, embedder, logs, response, cancellationToken);
        analytics.Record(new SearchPerformed(q!, items.Count, items.Take(10).Select(i => i.Paper.Id).ToList(), clock.GetUtcNow()));
        return TypedResults.Ok(items);
    }

    /// <summary>Body of <c>POST /api/papers/search</c>.</summary>
    public sealed record TextSearchRequest(string? Q, int Limit = 20);

    /// <summary>Body of <c>POST /api/papers/similar</c>.</summary>
    public sealed record SimilarTextRequest(string? Text, int Limit = 10);

    /// <summary><c>POST /api/papers/search</c>: search as the GET form does, with a query of up to <see cref="MaxPastedLength"/> characters.</summary>
    public static async Task<Results<Ok<List<PaperItemDto>>, ProblemHttpResult>> SearchTextAsync(
        HttpRequest request, ApiDbContext db, ISearchIndex index, ITextEmbedder embedder, AnalyticsEvents analytics, TimeProvider clock,
        ILoggerFactory logs, HttpResponse response, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadPastedAsync<TextSearchRequest>(request, "q", b => (b.Q, b.Limit), 120, cancellationToken);
        if (problem is not null)
            return problem;
        var q = body!.Q!;
        var items = await FindAsync(q, (vector, model) => index.Search(q, vector, model, body.Limit), db, embedder, logs, response, cancellationToken);
        // Analytics sees what a typed query would show of it; a pasted text may be an unpublished abstract.
        analytics.Record(new SearchPerformed(q.Length > MaxQueryLength ? q[..MaxQueryLength] : q, items.Count, items.Take(10).Select(i => i.Paper.Id).ToList(), clock.GetUtcNow()));
        return TypedResults.Ok(items);
    }

    /// <summary>
    /// <c>POST /api/papers/similar</c>: papers most like a pasted text, ranked as similar papers
    /// are (the text as keywords and its embedding as a query, <see cref="FusionWeights.Similar"/>).
    /// </summary>
    public static async Task<Results<Ok<List<PaperItemDto>>, ProblemHttpResult>> SimilarToTextAsync(
        HttpRequest request, ApiDbContext db, ISearchIndex index, ITextEmbedder embedder,
        ILoggerFactory logs, HttpResponse response, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadPastedAsync<SimilarTextRequest>(request, "text", b => (b.Text, b.Limit), 50, cancellationToken);
        if (problem is not null)
            return problem;
        var text = body!.Text!;
        return TypedResults.Ok(await FindAsync(text, (vector, model) => index.SimilarTo(text, vector, model, exclude: null, body.Limit, FusionWeights.PastedText),
            db, embedder, logs, response, cancellationToken));
    }

    /// <summary>What is wrong with a text and a limit, by field; null when nothing is.</summary>
    private static Dictionary<string, string[]>? Errors(string field, string? text, int maxLength, int limit, int maxLimit)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(text))
            errors[field] = [$"{field} is required and may not be blank."];
        else if (text.Length > maxLength)
            errors[field] = [$"{field} may have at most {maxLength} characters; got {text.Length}."];
        if (limit < 1 || limit > maxLimit)
            errors["limit"] = [$"limit must be between 1 and {maxLimit}; got {limit}."];
        return errors.Count > 0 ? errors : null;
    }

    /// <summary>A POST form's body with its text (<paramref name="field"/>) and limit checked, or the problem to answer.</summary>
    private static async Task<(T? Body, ProblemHttpResult? Problem)> ReadPastedAsync<T>(HttpRequest request, string field,
        Func<T, (string? Text, int Limit)> fields, int maxLimit, CancellationToken cancellationToken) where T : class
    {
        var (body, problem) = await ReadJsonAsync<T>(request, cancellationToken);
        if (problem is not null)
            return (null, problem);
        var (text, limit) = fields(body!);
        return Errors(field, text, MaxPastedLength, limit, maxLimit) is { } errors
            ? (null, TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Title = "One or more validation errors occurred." }))
            : (body, null);
    }

    /// <summary>
    /// A pasted text on a GET form (the search page's or <c>/v1/search</c>'s <c>abstract</c>) costs
    /// what the POST forms cost: a <see cref="RequestClass.TextSearch"/> permit besides the request's
    /// own. False, with the 429 written, when that limit is spent.
    /// </summary>
    public static async Task<bool> ChargeTextSearchAsync(HttpContext http, RateLimiters limits)
    {
        if (!limits.Enabled)
            return true;
        var decision = limits.AcquireForClass(Caller.Of(http), RequestClass.TextSearch);
        RateLimiters.WriteHeaders(http.Response, decision);
        if (decision.Granted)
            return true;
        await RateLimiters.RefuseAsync(http, decision);
        return false;
    }

    /// <summary>A JSON body, or the problem to answer: 415 naming the content type sent, 400 naming where the JSON broke.</summary>
    internal static async Task<(T? Body, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        if (!request.HasJsonContentType())
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
                detail: $"Send a JSON body (Content-Type: application/json); Content-Type was '{Problems.Echo(request.ContentType ?? "")}'."));
        try
        {
            return await request.ReadFromJsonAsync<T>(cancellationToken) is { } body
                ? (body, null)
                : (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Empty body", detail: "The body is JSON null; send an object."));
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON",
                detail: $"The body is not the JSON object expected at {ex.Path ?? "$"}: {Problems.Echo(ex.Message)}"));
        }
    }

    /// <summary>
    /// Embeds the text as a query and ranks with it; when the embedding fails (Enrichment down,
    /// hanging past the embedder's budget, its circuit open, an error answer) the ranking uses
    /// keywords alone, and the <see cref="SearchModeHeader"/> says so. Only the caller's own
    /// cancellation ends the request.
    /// </summary>
    private static async Task<List<PaperItemDto>> FindAsync(string text, Func<float[]?, string?, IReadOnlyList<SearchHit>> rank,
        ApiDbContext db, ITextEmbedder embedder, ILoggerFactory logs, HttpResponse response, CancellationToken cancellationToken)
    {
        float[]? vector = null;
        try
        {
            vector = (await embedder.EmbedAsync([text], cancellationToken))[0];
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logs.CreateLogger(typeof(PapersApi)).LogWarning(ex, "Query embedding failed ({Error}); answering with keyword search only", ex.GetType().Name);
        }
        response.Headers[SearchModeHeader] = vector is null ? "keyword" : "hybrid";
        var hits = rank(vector, vector is null ? null : embedder.ModelId);
        var rows = await db.LoadAsync(hits.Select(h => h.PaperId).ToList(), cancellationToken);
        return hits.Where(h => rows.ContainsKey(h.PaperId))
            .Select(h => rows[h.PaperId].Paper.ToItem(rows[h.PaperId].Enrichment, h.Score, h.Similarity, MatchedBy(h)))
            .ToList();
    }

    public static async Task<Results<Ok<List<PaperItemDto>>, ProblemHttpResult, ValidationProblem>> SimilarAsync(
        string id, ApiDbContext db, ISearchIndex index, CancellationToken cancellationToken, int limit = 10)
    {
        if (limit is < 1 or > 50)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and 50; got {limit}."] });
        if (!await db.Papers.AnyAsync(p => p.PaperId == id, cancellationToken))
            return NotFound(id);
        var similar = index.Similar(id, limit);
        var rows = await db.LoadAsync(similar.Select(s => s.PaperId).ToList(), cancellationToken);
        return TypedResults.Ok(similar.Where(s => rows.ContainsKey(s.PaperId))
            .Select(s => rows[s.PaperId].Paper.ToItem(rows[s.PaperId].Enrichment, similarity: Math.Round(s.Similarity, 4)))
            .ToList());
    }

    internal static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Paper not found", detail: $"No paper has the id '{Problems.Echo(id)}'.");

    private static string MatchedBy(SearchHit hit) => (hit.KeywordRank, hit.Similarity) switch
    {
        (not null, not null) => "keyword+semantic",
        (not null, null) => "keyword",
        _ => "semantic",
    };

    private static string EncodeCursor(DateOnly listedOn, string paperId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{listedOn:yyyy-MM-dd}|{paperId}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (DateOnly, string)? DecodeCursor(string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|', 2);
            return parts.Length == 2 && DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", out var d) ? (d, parts[1]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
