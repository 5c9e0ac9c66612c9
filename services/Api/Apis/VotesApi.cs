using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;
using Papers.Contracts;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Apis;

/// <summary>
/// Upvotes: one per identity per paper (the signed visitor cookie, or an API key with the
/// <c>vote</c> scope), idempotent and undoable. Counts change by atomic SQL increments in the
/// same transaction as the vote row, so concurrent votes on any replica all count exactly once.
/// </summary>
public static class VotesApi
{
    public static IEndpointRouteBuilder MapVotesApi(this IEndpointRouteBuilder app)
    {
        var votes = app.MapGroup("/api/papers/{id}/upvote").WithTags("Papers")
            .RequireAuthorization(Policies.Vote)
            .RequireAntiforgeryForVisitors()
            .RateLimited(RequestClass.Write, RateAction.Vote);
        votes.MapPost("/", UpvoteAsync).WithName("UpvotePaper")
            .WithSummary("Upvote a paper once (visitor cookie + X-CSRF-TOKEN, or an API key with scope vote); repeating it changes nothing.");
        votes.MapDelete("/", WithdrawAsync).WithName("WithdrawUpvote")
            .WithSummary("Take your upvote back; without one, nothing changes.");
        return app;
    }

    public static async Task<Results<Ok<UpvoteResult>, ProblemHttpResult>> UpvoteAsync(
        string id, HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var voter = Caller.Of(http).Id!;
        if (!await db.Papers.AnyAsync(p => p.PaperId == id, cancellationToken))
            return PapersApi.NotFound(id);
        if (await db.Votes.AnyAsync(v => v.PaperId == id && v.VoterId == voter, cancellationToken))
            return TypedResults.Ok(new UpvoteResult(id, await CountAsync(db, id, cancellationToken), Counted: false, Voted: true));

        var now = clock.GetUtcNow();
        var strategy = db.Database.CreateExecutionStrategy();
        var counted = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.Votes.Add(new Vote { PaperId = id, VoterId = voter, VotedAt = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // The same identity's concurrent second click lost the race on the (paper, voter) key.
                return false;
            }
            await db.Papers.Where(p => p.PaperId == id)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.LocalUpvotes, p => p.LocalUpvotes + 1).SetProperty(p => p.UpdatedAt, now.UtcDateTime), cancellationToken);
            db.AddToOutbox(new PaperUpvoted(id, voter, await CountAsync(db, id, cancellationToken), now), clock);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
        return TypedResults.Ok(new UpvoteResult(id, await CountAsync(db, id, cancellationToken), Counted: counted, Voted: true));
    }

    public static async Task<Results<Ok<UpvoteResult>, ProblemHttpResult>> WithdrawAsync(
        string id, HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var voter = Caller.Of(http).Id!;
        if (!await db.Papers.AnyAsync(p => p.PaperId == id, cancellationToken))
            return PapersApi.NotFound(id);
        var now = clock.GetUtcNow();
        var strategy = db.Database.CreateExecutionStrategy();
        var withdrawn = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Deleting the row is the guard: of two concurrent withdrawals only one deletes it.
            if (await db.Votes.Where(v => v.PaperId == id && v.VoterId == voter).ExecuteDeleteAsync(cancellationToken) == 0)
                return false;
            await db.Papers.Where(p => p.PaperId == id)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.LocalUpvotes, p => p.LocalUpvotes - 1).SetProperty(p => p.UpdatedAt, now.UtcDateTime), cancellationToken);
            db.AddToOutbox(new PaperUpvoteWithdrawn(id, voter, await CountAsync(db, id, cancellationToken), now), clock);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
        return TypedResults.Ok(new UpvoteResult(id, await CountAsync(db, id, cancellationToken), Counted: withdrawn, Voted: false));
    }

    private static Task<int> CountAsync(ApiDbContext db, string id, CancellationToken cancellationToken) =>
        db.Papers.Where(p => p.PaperId == id).Select(p => p.SourceUpvotes + p.LocalUpvotes).SingleAsync(cancellationToken);
}
