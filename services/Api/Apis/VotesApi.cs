using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;
using Papers.Contracts;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Api.Apis;

/// <summary>Upvotes (one per voter per paper) and submissions.</summary>
public static class VotesApi
{
    public const string VoterHeader = "X-Voter-Id";

    public static IEndpointRouteBuilder MapVotesApi(this IEndpointRouteBuilder app)
    {
        var papers = app.MapGroup("/api/papers").WithTags("Papers");
        papers.MapPost("/{id}/upvote", UpvoteAsync).WithName("UpvotePaper")
            .WithSummary($"Upvote once per voter: the {VoterHeader} header, else the client address.");
        papers.MapPost("/submit", SubmitAsync).WithName("SubmitPaper")
            .WithSummary("Submit a paper by arXiv id (Ingest fetches it from arXiv), or by title and summary; Ingest adds it.");
        return app;
    }

    public static async Task<Results<Ok<UpvoteResult>, ProblemHttpResult>> UpvoteAsync(
        string id, HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var paper = await db.Papers.FindAsync([id], cancellationToken);
        if (paper is null)
            return PapersApi.NotFound(id);
        var voter = VoterId(http);
        if (await db.Votes.AnyAsync(v => v.PaperId == id && v.VoterId == voter, cancellationToken))
            return TypedResults.Ok(new UpvoteResult(id, paper.Upvotes, Counted: false));

        var now = clock.GetUtcNow();
        db.Votes.Add(new Vote { PaperId = id, VoterId = voter, VotedAt = now });
        paper.Upvotes++;
        paper.UpdatedAt = now.UtcDateTime;
        db.AddToOutbox(new PaperUpvoted(id, voter, paper.Upvotes, now), clock);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same voter's concurrent second click lost the race on the (paper, voter) key.
            return TypedResults.Ok(new UpvoteResult(id, paper.Upvotes - 1, Counted: false));
        }
        return TypedResults.Ok(new UpvoteResult(id, paper.Upvotes, Counted: true));
    }

    public static async Task<Results<Accepted<SubmitPaperAccepted>, ValidationProblem>> SubmitAsync(
        SubmitPaperRequest request, HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = SubmissionRules.Validate(request);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var command = new SubmitPaper(Guid.NewGuid(), request.ArxivId?.Trim(), request.Title?.Trim(), request.Summary?.Trim(),
            request.Authors, VoterId(http), clock.GetUtcNow());
        db.AddToOutbox(command, clock);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, new SubmitPaperAccepted(command.SubmissionId, command.ArxivId, "accepted"));
    }

    /// <summary>A pseudonymous voter id: the header a client sends, else a hash of its address (never the address itself).</summary>
    private static string VoterId(HttpContext http)
    {
        var given = http.Request.Headers[VoterHeader].ToString();
        if (!string.IsNullOrWhiteSpace(given) && given.Length <= 100)
            return given.Trim();
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return "ip-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address)))[..16];
    }
}
