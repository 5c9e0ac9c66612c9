using System.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Api.Data;
using Papers.Contracts;
using Papers.Domain;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Apis;

public record SubmitPaperRequest(string? ArxivId, string? Title, string? Summary, IReadOnlyList<string>? Authors);

/// <param name="Status"><c>listed</c> (by arXiv id: on today's list once Ingest has the paper) or <c>pending</c> (waits for moderation).</param>
public record SubmissionAccepted(Guid SubmissionId, string? PaperId, string Status, string? ListedOn);

/// <summary>Section <c>Submissions</c>.</summary>
public sealed class SubmissionOptions
{
    public const string Section = "Submissions";

    /// <summary>Submissions one identity (visitor cookie or API key) may make in 24 hours.</summary>
    public int PerIdentityPerDay { get; set; } = 5;
}

/// <summary>
/// Submissions never edit a paper. By arXiv id, the paper comes from arXiv (Ingest fetches it
/// if it is new) and the submission lists it on today's list; by title and abstract, it waits
/// until an admin approves it (<see cref="ModerationApi"/>). Callers need the visitor cookie or a
/// key with the <c>submit</c> scope, and each identity has a daily quota.
/// </summary>
public static class SubmissionsApi
{
    public const int MaxTitle = 1_000, MaxSummary = 20_000, MaxAuthors = 100, MaxAuthorName = 300;

    public static IEndpointRouteBuilder MapSubmissionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/papers/submit", SubmitAsync).WithTags("Papers").WithName("SubmitPaper")
            .WithSummary("Submit a paper: {arxivId} lists it today (the record comes from arXiv); {title, summary, authors?} waits for moderation.")
            .RequireAuthorization(Policies.Submit)
            .RequireAntiforgeryForVisitors()
            .RateLimited(RequestClass.Write, RateAction.Submit);
        return app;
    }

    public static async Task<Results<Accepted<SubmissionAccepted>, Ok<SubmissionAccepted>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        SubmitPaperRequest request, HttpContext http, ApiDbContext db, IOptions<SubmissionOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = Validate(request, out var arxivId);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var submitter = Caller.Of(http).Id!;
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        if (arxivId is not null && await db.Submissions.AsNoTracking()
                .FirstOrDefaultAsync(s => s.PaperId == arxivId && s.ListedOn == today && s.Status == SubmissionStatus.Listed, cancellationToken) is { } listed)
            return TypedResults.Ok(new SubmissionAccepted(listed.Id, arxivId, "listed", today.ToString("yyyy-MM-dd")));

        var quota = options.Value.PerIdentityPerDay;
        var since = now.AddDays(-1);
        var submission = new Submission
        {
            Id = Guid.NewGuid(),
            Kind = arxivId is null ? SubmissionKind.Text : SubmissionKind.ArxivId,
            Status = arxivId is null ? SubmissionStatus.Pending : SubmissionStatus.Listed,
            PaperId = arxivId,
            Title = request.Title?.Trim(),
            Summary = request.Summary?.Trim(),
            Authors = [.. (request.Authors ?? []).Select(a => a.Trim()).Where(a => a.Length > 0)],
            SubmittedBy = submitter,
            SubmittedAt = now,
            ListedOn = arxivId is null ? null : today,
        };
        // The count and the insert are one serializable transaction, so an identity's racing requests
        // cannot all pass the count (SQLite takes the write lock at BEGIN; PostgreSQL fails all but
        // one with a serialization failure, which the execution strategy retries).
        var strategy = db.Database.CreateExecutionStrategy();
        var spentSince = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
            var recent = await db.Submissions.Where(s => s.SubmittedBy == submitter && s.SubmittedAt > since)
                .OrderBy(s => s.SubmittedAt).Select(s => s.SubmittedAt).Take(quota).ToListAsync(cancellationToken);
            if (recent.Count >= quota)
                return recent[0];
            db.Submissions.Add(submission);
            if (arxivId is not null)
                db.AddToOutbox(new SubmitPaper(submission.Id, arxivId, null, null, null, submitter, clock.GetUtcNow()), clock);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (DateTime?)null;
        });
        if (spentSince is { } oldest)
        {
            var retryAfter = (int)Math.Ceiling((oldest.AddDays(1) - now).TotalSeconds);
            http.Response.Headers.RetryAfter = Math.Max(1, retryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Daily submission quota spent",
                detail: $"Each identity may submit {quota} papers in 24 hours; try again in {Math.Max(1, retryAfter / 60)} minutes.");
        }
        return TypedResults.Accepted((string?)null, new SubmissionAccepted(submission.Id, arxivId,
            arxivId is null ? "pending" : "listed", submission.ListedOn?.ToString("yyyy-MM-dd")));
    }

    /// <summary>Either an arXiv id alone, or a title and an abstract; every field within bounds.</summary>
    internal static Dictionary<string, string[]> Validate(SubmitPaperRequest request, out string? arxivId)
    {
        var errors = new Dictionary<string, string[]>();
        arxivId = null;
        var hasText = !string.IsNullOrWhiteSpace(request.Title) || !string.IsNullOrWhiteSpace(request.Summary) || request.Authors is { Count: > 0 };
        if (!string.IsNullOrWhiteSpace(request.ArxivId))
        {
            arxivId = ArxivId.Normalize(request.ArxivId);
            if (arxivId is null)
                errors["arxivId"] = [$"arxivId must be an arXiv id such as 2401.01234, 2401.01234v2, hep-th/9901001 or an arxiv.org/abs link; got '{Problems.Echo(request.ArxivId)}'."];
            if (hasText)
                errors["title"] = ["Give an arXiv id alone (its record comes from arXiv), or a title and summary without one; not both."];
            return errors;
        }
        if (string.IsNullOrWhiteSpace(request.Title))
            errors["title"] = ["title is required unless the paper is submitted by arxivId."];
        else if (request.Title.Length > MaxTitle)
            errors["title"] = [$"title may have at most {MaxTitle} characters; got {request.Title.Length}."];
        if (string.IsNullOrWhiteSpace(request.Summary))
            errors["summary"] = ["summary (the abstract) is required unless the paper is submitted by arxivId."];
        else if (request.Summary.Length > MaxSummary)
            errors["summary"] = [$"summary may have at most {MaxSummary} characters; got {request.Summary.Length}."];
        if (request.Authors is { Count: > MaxAuthors })
            errors["authors"] = [$"At most {MaxAuthors} authors; got {request.Authors.Count}."];
        else if (request.Authors?.Any(a => a is null || a.Length > MaxAuthorName) == true)
            errors["authors"] = [$"Each author is a name of at most {MaxAuthorName} characters."];
        return errors;
    }
}
