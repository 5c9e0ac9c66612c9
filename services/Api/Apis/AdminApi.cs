using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;
using Papers.Contracts;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Apis;

public record SubmissionDto(Guid Id, string Kind, string Status, string? PaperId, string? Title, string? Summary, IReadOnlyList<string> Authors,
    string SubmittedBy, DateTime SubmittedAt, string? ListedOn, string? ModeratedBy, DateTime? ModeratedAt);

public record IssueKeyRequest(string? Name, IReadOnlyList<string>? Scopes, int? RequestsPerMinute);

/// <summary>
/// What operators do, with an API key of scope <c>admin</c>: moderate submissions made by title
/// and abstract, and issue, list and revoke API keys (the same as the <c>keys</c> command).
/// </summary>
public static class AdminApi
{
    public const int MaxPage = 200;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(Policies.Admin);
        admin.MapGet("/submissions", ListSubmissionsAsync).WithName("ListSubmissions")
            .WithSummary("Submissions, newest first; ?status=pending (default), listed or rejected.");
        admin.MapPost("/submissions/{id:guid}/approve", (Guid id, HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken ct) =>
            ModerateAsync(id, approve: true, http, db, clock, ct)).WithName("ApproveSubmission")
            .WithSummary("Lists a pending submission today: Ingest adds it as a new paper (it never changes an existing one).");
        admin.MapPost("/submissions/{id:guid}/reject", (Guid id, HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken ct) =>
            ModerateAsync(id, approve: false, http, db, clock, ct)).WithName("RejectSubmission");
        admin.MapGet("/keys", async (ApiKeyStore keys, CancellationToken ct) => TypedResults.Ok(await keys.ListAsync(ct))).WithName("ListApiKeys");
        admin.MapPost("/keys", IssueKeyAsync).WithName("IssueApiKey")
            .WithSummary("Issues a key; the response is the only time its value is shown.");
        admin.MapDelete("/keys/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, ApiKeyStore keys, CancellationToken ct) =>
            await keys.RevokeAsync(id, ct) ? TypedResults.NoContent()
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such key", detail: $"No API key has the id '{Problems.Echo(id)}'."))
            .WithName("RevokeApiKey").WithSummary($"Revokes a key; every replica refuses it within {(int)ApiKeyStore.CacheFor.TotalSeconds} s.");
        return app;
    }

    public static async Task<Results<Ok<List<SubmissionDto>>, ValidationProblem>> ListSubmissionsAsync(
        ApiDbContext db, CancellationToken cancellationToken, string status = "pending", int limit = 50)
    {
        if (!Enum.TryParse<SubmissionStatus>(status, ignoreCase: true, out var wanted) || int.TryParse(status, out _))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"status must be pending, listed or rejected; got '{Problems.Echo(status)}'."] });
        if (limit is < 1 or > MaxPage)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxPage}; got {limit}."] });
        var rows = await db.Submissions.AsNoTracking().Where(s => s.Status == wanted).OrderByDescending(s => s.SubmittedAt).Take(limit).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(ToDto).ToList());
    }

    private static async Task<Results<Ok<SubmissionDto>, ProblemHttpResult>> ModerateAsync(
        Guid id, bool approve, HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var moderator = Caller.Of(http).Id!;
        // Only a pending submission moves, and only once: the status is the guard, checked in the UPDATE itself.
        var moved = await db.Submissions.Where(s => s.Id == id && s.Status == SubmissionStatus.Pending)
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Status, approve ? SubmissionStatus.Listed : SubmissionStatus.Rejected)
                .SetProperty(s => s.ListedOn, approve ? DateOnly.FromDateTime(now.UtcDateTime) : null)
                .SetProperty(s => s.ModeratedBy, moderator)
                .SetProperty(s => s.ModeratedAt, now.UtcDateTime), cancellationToken);
        var submission = await db.Submissions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (submission is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such submission", detail: $"No submission has the id {id}.");
        if (moved == 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already moderated",
                detail: $"Submission {id} is {submission.Status.ToString().ToLowerInvariant()}, not pending.");
        if (approve)
        {
            db.AddToOutbox(new SubmitPaper(submission.Id, null, submission.Title, submission.Summary, submission.Authors, submission.SubmittedBy, now), clock);
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(ToDto(submission));
    }

    public static async Task<Results<Created<IssuedApiKey>, ValidationProblem>> IssueKeyAsync(
        IssueKeyRequest request, ApiKeyStore keys, Microsoft.Extensions.Options.IOptions<RateLimitOptions> limits, CancellationToken cancellationToken)
    {
        var errors = KeyRules.Validate(request.Name, request.Scopes, request.RequestsPerMinute);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var issued = await keys.IssueAsync(request.Name!.Trim(), request.Scopes ?? [], request.RequestsPerMinute ?? limits.Value.DefaultKeyRequestsPerMinute, cancellationToken);
        return TypedResults.Created($"/api/admin/keys/{issued.Info.Id}", issued);
    }

    private static SubmissionDto ToDto(Submission s) => new(s.Id, s.Kind.ToString().ToLowerInvariant(), s.Status.ToString().ToLowerInvariant(),
        s.PaperId, s.Title, s.Summary, s.Authors, s.SubmittedBy, s.SubmittedAt, s.ListedOn?.ToString("yyyy-MM-dd"), s.ModeratedBy, s.ModeratedAt);
}
