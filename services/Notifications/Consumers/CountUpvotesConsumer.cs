using MassTransit;
using Papers.Contracts;
using Papers.Notifications.Data;

namespace Papers.Notifications.Consumers;

/// <summary>
/// Keeps each candidate paper's upvote count, for ranking and the trending digest. Each event
/// carries the count after it; events arrive in any order, so the latest by its time wins.
/// </summary>
public sealed class CountUpvotesConsumer(NotificationsDbContext db) : IConsumer<PaperUpvoted>, IConsumer<PaperUpvoteWithdrawn>
{
    public Task Consume(ConsumeContext<PaperUpvoted> context) =>
        ApplyAsync(context.Message.PaperId, context.Message.Upvotes, context.Message.UpvotedAt, context.CancellationToken);

    public Task Consume(ConsumeContext<PaperUpvoteWithdrawn> context) =>
        ApplyAsync(context.Message.PaperId, context.Message.Upvotes, context.Message.WithdrawnAt, context.CancellationToken);

    private async Task ApplyAsync(string paperId, int upvotes, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // To the microsecond, as PostgreSQL keeps it: a redelivery must compare equal to what was stored.
        at = new DateTimeOffset(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);
        var paper = await db.Candidates.FindAsync([paperId], cancellationToken);
        if (paper is null)
        {
            // Votes may come before the paper's own events; the row waits for them.
            paper = new CandidatePaper { PaperId = paperId };
            db.Candidates.Add(paper);
        }
        else if (paper.UpvotesAt >= at)
            return;
        paper.Upvotes = upvotes;
        paper.UpvotesAt = at;
        // A concurrent change of the row fails the save (its revision); the bus retries in a fresh scope.
        await db.SaveChangesAsync(cancellationToken);
    }
}
