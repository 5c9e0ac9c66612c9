using Microsoft.EntityFrameworkCore;
using Papers.Notifications.Data;

namespace Papers.Notifications.Library;

/// <summary>A paper the account's "for you" recommends, and the saved papers it resembles (the Api's <c>ForYouItem</c>, as much as a digest needs).</summary>
public sealed record LibraryPick(string PaperId, string Title, double Score, IReadOnlyList<LibraryReason> Resembles);

public sealed record LibraryReason(string PaperId, string Title);

/// <summary>One of the account's collections, by name (the manage page lets its owner choose one).</summary>
public sealed record LibraryCollection(Guid Id, string Name);

/// <summary>
/// An account's library, as the Api's "for you" sees it: where a "for you" digest comes from.
/// The host chooses how it is reached: the Api over internal HTTP (its own process), or in
/// process (the all-in-one host). Null answers: no such account, or no such collection of it.
/// Failures to reach the Api throw (<see cref="HttpRequestException"/>): the digest waits for the next run.
/// </summary>
public interface ILibraryRecommendations
{
    Task<IReadOnlyList<LibraryPick>?> RecommendAsync(Guid account, Guid? collection, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<LibraryCollection>?> CollectionsAsync(Guid account, CancellationToken cancellationToken);
}

/// <summary>Which account vouched for a subscriber's address (<see cref="AccountLink"/>).</summary>
public static class AccountLinks
{
    /// <summary>Addresses match case-insensitively: the provider and the subscriber may write the local part differently.</summary>
    public static string? Key(string? email) => email?.Trim().ToLowerInvariant() is { Length: > 0 } key ? key : null;

    /// <summary>The account linked to each address (the one most recently vouched for, if two accounts share it).</summary>
    public static async Task<Dictionary<string, Guid>> ForAsync(NotificationsDbContext db, IEnumerable<string> emails, CancellationToken cancellationToken)
    {
        var keys = emails.Select(Key).OfType<string>().Distinct().ToList();
        var links = await db.AccountLinks.AsNoTracking().Where(l => l.Email != null && keys.Contains(l.Email)).ToListAsync(cancellationToken);
        return links.GroupBy(l => l.Email!).ToDictionary(g => g.Key, g => g.MaxBy(l => l.ChangedAt)!.AccountId);
    }

    public static async Task<Guid?> ForAsync(NotificationsDbContext db, string email, CancellationToken cancellationToken) =>
        (await ForAsync(db, [email], cancellationToken)).TryGetValue(Key(email)!, out var account) ? account : null;
}
