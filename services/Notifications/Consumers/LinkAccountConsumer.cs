using MassTransit;
using Microsoft.EntityFrameworkCore;
using Papers.Contracts;
using Papers.Notifications.Data;
using Papers.Notifications.Library;

namespace Papers.Notifications.Consumers;

/// <summary>
/// Keeps which account vouched for which address (<see cref="AccountLink"/>): the subscription of
/// that address may then have a "for you" digest of the account's library. Events arrive in any
/// order: of two about one account the later wins, and nothing comes after its deletion.
/// </summary>
/// <remarks>
/// Deleting the account keeps the subscription (it was confirmed by the address on its own, and
/// every digest can stop it in one click), but nothing ties the address to the account any more;
/// a "for you" digest has no library left to read, so it is paused with a reason its owner sees on
/// the manage page, instead of silently turning into another kind of digest they never chose.
/// </remarks>
public sealed class LinkAccountConsumer(NotificationsDbContext db, TimeProvider clock) : IConsumer<AccountEmailChanged>, IConsumer<AccountDeleted>
{
    public const string DeletedReason = "the account whose library this digest followed was deleted; choose another digest and resume";

    public async Task Consume(ConsumeContext<AccountEmailChanged> context)
    {
        var message = context.Message;
        var at = Microseconds(message.ChangedAt);
        var link = await db.AccountLinks.FindAsync([message.AccountId], context.CancellationToken);
        if (link is null)
        {
            link = new AccountLink { AccountId = message.AccountId };
            db.AccountLinks.Add(link);
        }
        else if (link.DeletedAt is not null || link.ChangedAt >= at)
            return;
        link.Email = AccountLinks.Key(message.VerifiedEmail);
        link.ChangedAt = at;
        // A concurrent change of the row fails the save (its revision, or the key of a new row); the bus retries in a fresh scope.
        await db.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<AccountDeleted> context)
    {
        var account = context.Message.AccountId;
        var link = await db.AccountLinks.FindAsync([account], context.CancellationToken);
        if (link?.DeletedAt is not null)
            return;
        if (link is null)
        {
            link = new AccountLink { AccountId = account };
            db.AccountLinks.Add(link);
        }
        // Paused before the link goes, so a crash between the two repeats both (each is idempotent)
        // instead of leaving a "for you" digest of no one running. Another account of the same person
        // (another provider) that vouches for the address keeps it linked, and its digest running.
        if (link.Email is { } email && !await db.AccountLinks.AnyAsync(l => l.Email == email && l.AccountId != account, context.CancellationToken))
            await db.Subscribers.Where(s => s.Email.ToLower() == email && s.Kind == DigestKind.ForYou && s.PausedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.PausedAt, clock.GetUtcNow().UtcDateTime).SetProperty(s => s.PausedReason, DeletedReason), context.CancellationToken);
        (link.Email, link.DeletedAt, link.ChangedAt) = (null, clock.GetUtcNow().UtcDateTime, Microseconds(context.Message.DeletedAt));
        await db.SaveChangesAsync(context.CancellationToken);
    }

    /// <summary>To the microsecond, as PostgreSQL keeps it: a redelivery must compare equal to what was stored.</summary>
    private static DateTime Microseconds(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, DateTimeKind.Utc);
}
