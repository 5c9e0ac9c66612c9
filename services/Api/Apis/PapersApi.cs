using System.Text;
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

    public static IEndpointRouteBuilder MapPapersApi(this IEndpointRouteBuilder app)
    {
        var papers = app.MapGroup("/api/papers").WithTags("Papers");
        papers.MapGet("/", ListAsync).WithName("ListPapers").WithSummary("All papers, newest listing first, cursor-paged.");
        papers.MapGet("/search", SearchAsync).WithName("SearchPapers").WithSummary("Hybrid keyword + semantic search.").RateLimited(RequestClass.Search);
        papers.MapGet("/{id}", GetAsync).WithName("GetPaper");
        papers.MapGet("/{id}/similar", SimilarAsync).WithName("SimilarPapers").WithSummary("Papers nearest in meaning.").RateLimited(RequestClass.Search);
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
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(q))
            errors["q"] = ["q (the query) is required."];
        else if (q.Length > MaxQueryLength)
            errors["q"] = [$"q may have at most {MaxQueryLength} characters; got {q.Length}."];
        if (limit is < 1 or > 120)
            errors["limit"] = [$"limit must be between 1 and 120; got {limit}."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        float[]? vector = null;
        try
        {
            vector = (await embedder.EmbedAsync([q!], cancellationToken))[0];
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong (Enrichment down, hanging past the embedder's budget, its circuit
            // open, an error answer), keyword search still answers, and says so. Only the caller's
            // own cancellation ends the request.
            logs.CreateLogger(typeof(PapersApi)).LogWarning(ex, "Query embedding failed ({Error}); answering with keyword search only", ex.GetType().Name);
        }
        response.Headers[SearchModeHeader] = vector is null ? "keyword" : "hybrid";
        var hits = index.Search(q!, vector, vector is null ? null : embedder.ModelId, limit);
        var rows = await db.LoadAsync(hits.Select(h => h.PaperId).ToList(), cancellationToken);
        var items = hits.Where(h => rows.ContainsKey(h.PaperId))
            .Select(h => rows[h.PaperId].Paper.ToItem(rows[h.PaperId].Enrichment, h.Score, h.Similarity, MatchedBy(h)))
            .ToList();
        analytics.Record(new SearchPerformed(q!, items.Count, items.Take(10).Select(i => i.Paper.Id).ToList(), clock.GetUtcNow()));
        return TypedResults.Ok(items);
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
