using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Papers.Analytics.Archive;
using Papers.Analytics.Queries;
using Papers.Analytics.Replay;
using Papers.ServiceDefaults.Security;

namespace Papers.Analytics.Apis;

/// <summary>A replay request: the archived events of <c>eventType</c> from <c>from</c> to <c>to</c> (UTC days, inclusive) sent to <c>queue</c>.</summary>
public sealed record ReplayRequest(string? EventType, string? From, string? To, string? Queue);

public sealed record ReplayResult(string EventType, DateOnly From, DateOnly To, string Queue, int Replayed);

public sealed record ArchivedTypeInfo(string EventType, string Queue, string? EventTimeField, IReadOnlyList<string> Columns, IReadOnlyDictionary<string, string> Dropped, int RetentionDays);

/// <summary>
/// The archive for operators and analysts (admin keys only): what is archived, the ready queries
/// (days are UTC days, <c>from</c> and <c>to</c> inclusive, 30 days to today by default, at most
/// <see cref="MaxDays"/>), and replay to a named queue.
/// </summary>
public static class AnalyticsApi
{
    public const int MaxDays = ReplayRules.MaxDays;

    public static IEndpointRouteBuilder MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/analytics").WithTags("Analytics").RequireAuthorization(Policies.Admin);
        group.MapGet("/types", Types).WithSummary("The archived event types: columns, fields not archived (and why), retention.");
        group.MapGet("/papers-per-day", PapersPerDay).WithSummary("Papers ingested and enriched per day and category.").ProducesValidationProblem();
        group.MapGet("/enrichment-lag", EnrichmentLag).WithSummary("Seconds from ingestion to first enrichment, p50 and p95 per day.").ProducesValidationProblem();
        group.MapGet("/searches", Searches).WithSummary("Top searches and top zero-result searches.").ProducesValidationProblem();
        group.MapGet("/top-papers", TopPapers).WithSummary("Per day, the papers viewed most and upvoted most.").ProducesValidationProblem();
        group.MapGet("/digests", Digests).WithSummary("Digests sent (and failed) and unsubscribes per day.").ProducesValidationProblem();
        group.MapPost("/replay", Replay).WithSummary("Re-send archived events of a type and day range to one named queue (never to the public exchanges).").ProducesValidationProblem();
        return app;
    }

    private static Ok<List<ArchivedTypeInfo>> Types(ArchivedTypes types, ArchiveOptions options) =>
        TypedResults.Ok(types.All.Select(t => new ArchivedTypeInfo(t.Name, Consumers.ArchiveQueues.Of(t.Type), t.EventTimeField,
            [.. t.Columns.Select(c => c.Name)], t.Dropped, options.RetentionFor(t.Name))).ToList());

    private static async Task<Results<Ok<List<PapersPerDay>>, ValidationProblem>> PapersPerDay(string? from, string? to, ReadyQueries queries, TimeProvider clock, CancellationToken cancellationToken) =>
        DayRange(from, to, clock, out var range, out var problem) ? TypedResults.Ok(await queries.PapersPerDayAsync(range.From, range.To, cancellationToken)) : problem;

    private static async Task<Results<Ok<List<EnrichmentLag>>, ValidationProblem>> EnrichmentLag(string? from, string? to, ReadyQueries queries, TimeProvider clock, CancellationToken cancellationToken) =>
        DayRange(from, to, clock, out var range, out var problem) ? TypedResults.Ok(await queries.EnrichmentLagAsync(range.From, range.To, cancellationToken)) : problem;

    private static async Task<Results<Ok<Searches>, ValidationProblem>> Searches(string? from, string? to, string? limit, ReadyQueries queries, TimeProvider clock, CancellationToken cancellationToken) =>
        DayRange(from, to, clock, out var range, out var problem) && Limit(limit, out var top, out problem)
            ? TypedResults.Ok(await queries.SearchesAsync(range.From, range.To, top, cancellationToken)) : problem;

    private static async Task<Results<Ok<List<TopPapers>>, ValidationProblem>> TopPapers(string? from, string? to, string? limit, ReadyQueries queries, TimeProvider clock, CancellationToken cancellationToken) =>
        DayRange(from, to, clock, out var range, out var problem) && Limit(limit, out var top, out problem)
            ? TypedResults.Ok(await queries.TopPapersAsync(range.From, range.To, top, cancellationToken)) : problem;

    private static async Task<Results<Ok<List<DigestDay>>, ValidationProblem>> Digests(string? from, string? to, ReadyQueries queries, TimeProvider clock, CancellationToken cancellationToken) =>
        DayRange(from, to, clock, out var range, out var problem) ? TypedResults.Ok(await queries.DigestsAsync(range.From, range.To, cancellationToken)) : problem;

    private static async Task<Results<Ok<ReplayResult>, ValidationProblem>> Replay(ReplayRequest request, ArchivedTypes types, ArchiveReplay replay, CancellationToken cancellationToken)
    {
        if (ReplayRules.Check(types, request.EventType, request.From, request.To, request.Queue, out var problem) is not { } plan)
            return Invalid(problem.Field, problem.Message);
        var sent = await replay.ReplayAsync(plan.Schema, plan.From, plan.To, plan.Queue, cancellationToken);
        return TypedResults.Ok(new ReplayResult(plan.Schema.Name, plan.From, plan.To, plan.Queue, sent));
    }

    /// <summary>The inclusive range asked for; 30 days to today (UTC) when neither end is given.</summary>
    private static bool DayRange(string? from, string? to, TimeProvider clock, out (DateOnly From, DateOnly To) range, out ValidationProblem problem)
    {
        range = default;
        problem = null!;
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (!TryDay(to, today, out var end))
            return Fail("to", $"'{Problems.Echo(to)}' is not a day (YYYY-MM-DD).", out problem);
        // The first days of the calendar have no 29 days before them (a caller may ask for to=0001-01-01).
        if (!TryDay(from, end.DayNumber >= 29 ? end.AddDays(-29) : DateOnly.MinValue, out var start))
            return Fail("from", $"'{Problems.Echo(from)}' is not a day (YYYY-MM-DD).", out problem);
        if (start > end)
            return Fail("from", $"'{start:yyyy-MM-dd}' is after to ('{end:yyyy-MM-dd}').", out problem);
        if (end.DayNumber - start.DayNumber + 1 > MaxDays)
            return Fail("from", $"'{start:yyyy-MM-dd}' to '{end:yyyy-MM-dd}' is more than {MaxDays} days.", out problem);
        range = (start, end);
        return true;
    }

    private static bool Limit(string? text, out int limit, out ValidationProblem problem)
    {
        problem = null!;
        limit = 10;
        if (text is null)
            return true;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= 100)
            return true;
        return Fail("limit", $"'{Problems.Echo(text)}' is not a whole number from 1 to 100.", out problem);
    }

    private static bool TryDay(string? text, DateOnly fallback, out DateOnly day)
    {
        day = fallback;
        return text is null || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }

    private static bool Fail(string field, string message, out ValidationProblem problem)
    {
        problem = Invalid(field, message);
        return false;
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "Invalid request");
}
