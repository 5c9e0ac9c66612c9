using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Papers.Ingest.Data;
using Papers.Ingest.Harvest;
using Papers.ServiceDefaults.Security;

namespace Papers.Ingest.Apis;

/// <summary>One harvest cursor: where a source's harvest stands and how far behind it is.</summary>
/// <param name="InProgress">A resumption token is pending: the harvest stopped part-way and the next run resumes it.</param>
/// <param name="LagSeconds">Now minus the newest harvested datestamp, when known.</param>
public record HarvestCursorStatus(string Source, DateOnly? From, bool InProgress, DateOnly? LatestDatestamp, double? LagSeconds, DateTimeOffset UpdatedAt);

/// <summary>A scheduled harvest: off unless both its BaseUrl and Cron are configured.</summary>
public record HarvestScheduleStatus(string Name, bool Enabled, DateTimeOffset? NextRun);

/// <summary>A harvested record that could not be read and waits for an operator.</summary>
public record QuarantinedRecordStatus(string Source, string RecordId, string Reason, DateTimeOffset QuarantinedAt);

internal static class QuarantineRows
{
    public static QuarantinedRecordStatus ToStatus(this QuarantinedRecord row) =>
        new(row.Source, row.RecordId, row.Reason, new DateTimeOffset(DateTime.SpecifyKind(row.QuarantinedAt, DateTimeKind.Utc)));
}

/// <param name="Quarantined">How many records are quarantined in all.</param>
/// <param name="Quarantine">The latest of them (at most <see cref="IngestApi.QuarantineShown"/>); the <c>quarantine</c> command lists every one with its content.</param>
public record IngestStatus(IReadOnlyList<HarvestScheduleStatus> Schedules, IReadOnlyList<HarvestCursorStatus> Cursors,
    int Quarantined, IReadOnlyList<QuarantinedRecordStatus> Quarantine);

/// <summary>The latest gap check of one OAI-PMH harvest.</summary>
/// <param name="Filtered">The harvest was of one set, which leaves gaps by design.</param>
public record GapReport(string Source, DateOnly? From, DateTimeOffset CheckedAt, int IdsChecked, string? HighestId, bool Filtered, int Missing, IReadOnlyList<IdGap> Gaps);

/// <summary>Operational views of Ingest: harvest cursors and lag, and the id gaps the harvests found.</summary>
public static class IngestApi
{
    public const int MaxSourceLength = 200;

    public const int QuarantineShown = 100;

    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        // Operators' views: admin keys only (and, in a cluster, not routed by the ingress at all).
        var api = app.MapGroup("/api/ingest").WithTags("Ingest").RequireAuthorization(Policies.Admin);
        api.MapGet("/status", GetStatusAsync).WithName("IngestStatus")
            .WithSummary("The scheduled harvests, every harvest cursor with its lag, and the quarantined records.");
        api.MapGet("/gaps", GetGapsAsync).WithName("IngestGaps")
            .WithSummary("The latest gap report of each OAI-PMH harvest, or of the one named by ?source=.");
        return app;
    }

    public static async Task<Ok<IngestStatus>> GetStatusAsync(IngestDbContext db, [FromServices] IEnumerable<IHostedService> services, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var schedules = services.OfType<ScheduledHarvest>()
            .Select(s => new HarvestScheduleStatus(s.Name, s.Schedule is not null, s.NextRun(now)))
            .ToList();
        var rows = await db.HarvestCursors.AsNoTracking().ToListAsync(cancellationToken);
        var cursors = rows.OrderBy(r => r.Source, StringComparer.Ordinal)
            .Select(r => new HarvestCursorStatus(r.Source, r.From, r.ResumptionToken is { Length: > 0 }, r.LatestDatestamp,
                r.LatestDatestamp is { } d ? HarvestMetrics.LagSeconds(d, now) : null, r.UpdatedAt))
            .ToList();
        var quarantined = await db.Quarantine.CountAsync(cancellationToken);
        var latest = await db.Quarantine.AsNoTracking()
            .OrderByDescending(r => r.QuarantinedAt).ThenBy(r => r.Source).ThenBy(r => r.RecordId)
            .Take(QuarantineShown)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new IngestStatus(schedules, cursors, quarantined, [.. latest.Select(r => r.ToStatus())]));
    }

    public static async Task<Results<Ok<IReadOnlyList<GapReport>>, ValidationProblem, ProblemHttpResult>> GetGapsAsync(
        IngestDbContext db, CancellationToken cancellationToken, string? source = null)
    {
        if (source is not null && (string.IsNullOrWhiteSpace(source) || source.Length > MaxSourceLength))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["source"] = [$"source names a harvest cursor, such as arxiv-oai:arXivRaw:*, of 1 to {MaxSourceLength} characters."],
            });
        }

        var query = db.GapReports.AsNoTracking();
        if (source is not null)
            query = query.Where(r => r.Source == source);
        var rows = await query.ToListAsync(cancellationToken);
        if (source is not null && rows.Count == 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No gap report",
                detail: $"No OAI-PMH harvest named '{source}' has been checked for gaps yet.");
        IReadOnlyList<GapReport> reports = [.. rows.OrderBy(r => r.Source, StringComparer.Ordinal)
            .Select(r => new GapReport(r.Source, r.From, r.CheckedAt, r.IdsChecked, r.HighestId, r.Filtered, r.Missing, r.Gaps))];
        return TypedResults.Ok(reports);
    }
}
