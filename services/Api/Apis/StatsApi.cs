using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;
using Papers.Api.Reenrichment;
using Papers.Api.Retagging;
using Papers.Api.Search;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Apis;

public record ReadModelStats(int Papers, int Enriched, int Indexed, string? LatestListedOn, ReenrichmentProgress Reenrichment, RetaggingProgress Retagging);

public record PaperStatusRequest(IReadOnlyList<string>? Ids);

/// <summary>How far the read model has got with a set of papers; backfills and fault tests wait on it.</summary>
public record PaperStatusResult(int Requested, int Found, int Enriched, IReadOnlyList<string> MissingSample);

/// <summary>Operational views of the read model: totals, and the status of given papers.</summary>
public static class StatsApi
{
    public const int MaxIds = 1_000;

    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/stats", GetStatsAsync).WithTags("Operations").WithName("Stats");
        app.MapPost("/api/papers/status", GetStatusAsync).WithTags("Operations").WithName("PaperStatus")
            .WithSummary($"For up to {MaxIds} ids: how many are in the read model, and how many enriched for their current content.")
            .RateLimited(RequestClass.Search);
        return app;
    }

    public static async Task<Ok<ReadModelStats>> GetStatsAsync(ApiDbContext db, ISearchIndex index, ReenrichmentTarget reenrichment, RetaggingTarget retagging, CancellationToken cancellationToken)
    {
        var papers = await db.Papers.CountAsync(cancellationToken);
        var enriched = await db.Papers.Join(db.Enrichments, p => p.PaperId, e => e.PaperId, (p, e) => new { p.ContentHash, Enriched = e.ContentHash })
            .CountAsync(x => x.ContentHash == x.Enriched, cancellationToken);
        var latest = await db.Papers.MaxAsync(p => (DateOnly?)p.ListedOn, cancellationToken);
        return TypedResults.Ok(new ReadModelStats(papers, enriched, index.Count, latest?.ToString("yyyy-MM-dd"),
            await reenrichment.ProgressAsync(db, cancellationToken), await retagging.ProgressAsync(db, cancellationToken)));
    }

    public static async Task<Results<Ok<PaperStatusResult>, ValidationProblem>> GetStatusAsync(PaperStatusRequest request, ApiDbContext db, CancellationToken cancellationToken)
    {
        var ids = (request.Ids ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count is 0 or > MaxIds)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = [$"Give between 1 and {MaxIds} ids; got {ids.Count}."] });
        var found = await db.Papers.Where(p => ids.Contains(p.PaperId))
            .GroupJoin(db.Enrichments, p => p.PaperId, e => e.PaperId, (p, e) => new { p.PaperId, p.ContentHash, e })
            .SelectMany(x => x.e.DefaultIfEmpty(), (x, e) => new { x.PaperId, Enriched = e != null && e.ContentHash == x.ContentHash })
            .ToListAsync(cancellationToken);
        var present = found.Select(f => f.PaperId).ToHashSet(StringComparer.Ordinal);
        return TypedResults.Ok(new PaperStatusResult(ids.Count, found.Count, found.Count(f => f.Enriched),
            ids.Where(id => !present.Contains(id)).Take(10).ToList()));
    }
}
