using Microsoft.AspNetCore.Http.HttpResults;
using Papers.Api.Browse;
using Papers.Api.Data;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Apis;

/// <summary><c>GET /api/daily_papers</c>, compatible with Hugging Face's: by date, ISO week or month, paged, bare array.</summary>
public static class DailyPapersApi
{
    public static IEndpointRouteBuilder MapDailyPapersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/daily_papers", GetDailyPapersAsync).WithName("DailyPapers").WithTags("Papers")
            .WithSummary("Papers of a day, ISO week (YYYY-Www) or month (YYYY-MM); the latest day when none is given.")
            .WithDescription("Hugging Face-compatible: the same parameters and item shape as huggingface.co/api/daily_papers. " +
                "sort=trending ranks by upvotes with time decay (upvotes / (hours since listed + 2)^1.8, judged at the end of the period); " +
                "submitter= keeps the papers a source (arxiv-oai, hf-daily, ...) or a caller (v-..., k-...) put on the list.");
        return app;
    }

    /// <summary>The deepest page: beyond it a listing is a scan, not a page (and p × limit must not overflow).</summary>
    public const int MaxPage = 10_000;

    public static async Task<Results<Ok<List<PaperItemDto>>, ValidationProblem>> GetDailyPapersAsync(
        ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken,
        string? date = null, string? week = null, string? month = null, int p = 0, int limit = 50, string sort = "publishedAt", string? submitter = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > 100)
            errors["limit"] = [$"limit must be between 1 and 100; got {limit}."];
        if (p is < 0 or > MaxPage)
            errors["p"] = [$"p (the page, from 0) must be between 0 and {MaxPage}; got {p}."];
        if (sort is not ("publishedAt" or "trending"))
            errors["sort"] = [$"sort must be publishedAt or trending; got '{Problems.Echo(sort)}'."];
        if (submitter is { Length: > 64 })
            errors["submitter"] = [$"submitter may have at most 64 characters; got {submitter.Length}."];
        var range = DayRange.Parse(date, week, month, errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        range ??= await DailyListing.LatestDayAsync(db, clock, cancellationToken);
        var page = await DailyListing.PageAsync(db, range, sort == "trending", p * limit, limit, clock.GetUtcNow(), cancellationToken, count: false, submitter: submitter);
        return TypedResults.Ok(page.Papers.Select(x => x.Paper.ToItem(x.Enrichment)).ToList());
    }
}
