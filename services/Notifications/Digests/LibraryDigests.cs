using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Notifications.Data;
using Papers.Notifications.Library;

namespace Papers.Notifications.Digests;

/// <summary>
/// "For you" digests (<see cref="DigestKind.ForYou"/>): the Api's "for you" of the account linked to
/// the subscriber's address (its whole library, or one collection), each paper with the saved
/// papers it resembles. The digest rules stay those of every digest: only papers that arrived since
/// the subscriber's previous digest, never one sent before, at most <see cref="DigestOptions.MaxPapers"/>.
/// </summary>
public sealed class LibraryDigests(NotificationsDbContext db, ILibraryRecommendations library, IOptions<DigestOptions> options, ILogger<LibraryDigests> logger)
{
    /// <summary>Recommendations asked for per digest (the Api's most): papers sent before and older ones are dropped from them.</summary>
    public const int Ask = 100;

    /// <summary>
    /// The "for you" digest of each such subscriber: empty when the address has no linked account (or
    /// it has no library), null when the Api could not be asked now (the digest is not claimed, so the
    /// next run tries again).
    /// </summary>
    public async Task<Dictionary<Guid, IReadOnlyList<DigestEntry>?>> ChooseAsync(IReadOnlyList<Subscriber> subscribers, Func<Subscriber, DateTime> since,
        Func<Subscriber, IReadOnlySet<string>> exclude, CancellationToken cancellationToken)
    {
        var chosen = new Dictionary<Guid, IReadOnlyList<DigestEntry>?>();
        var forYou = subscribers.Where(s => s.Kind == DigestKind.ForYou).ToList();
        if (forYou.Count == 0)
            return chosen;
        var accounts = await AccountLinks.ForAsync(db, forYou.Select(s => s.Email), cancellationToken);
        var picks = new Dictionary<Guid, IReadOnlyList<LibraryPick>>();
        foreach (var s in forYou)
        {
            if (!accounts.TryGetValue(AccountLinks.Key(s.Email)!, out var account))
            {
                chosen[s.Id] = [];
                continue;
            }
            try
            {
                picks[s.Id] = await library.RecommendAsync(account, s.ForYouCollection, Ask, cancellationToken) ?? [];
            }
            catch (HttpRequestException ex)
            {
                logger.LogWarning(ex, "The \"for you\" digest of subscriber {Subscriber} waits for the next run: the Api's library could not be read", s.Id);
                chosen[s.Id] = null;
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "The \"for you\" digest of subscriber {Subscriber} waits for the next run: the Api did not answer in time", s.Id);
                chosen[s.Id] = null;
            }
        }
        var ids = picks.Values.SelectMany(p => p).Select(p => p.PaperId).Distinct().ToList();
        var papers = await db.Candidates.AsNoTracking().Where(c => ids.Contains(c.PaperId) && c.Title != null).ToDictionaryAsync(c => c.PaperId, cancellationToken);
        foreach (var s in forYou.Where(s => picks.ContainsKey(s.Id)))
        {
            var from = since(s);
            var known = exclude(s);
            chosen[s.Id] = [.. picks[s.Id]
                .Where(p => papers.TryGetValue(p.PaperId, out var paper) && paper.ArrivedAt > from && !known.Contains(p.PaperId))
                .Take(options.Value.MaxPapers)
                .Select(p => new DigestEntry(papers[p.PaperId], Reason(p), p.Score))];
        }
        return chosen;
    }

    /// <summary>"resembles your saved paper “A”", or "… papers “A” and “B”".</summary>
    public static string Reason(LibraryPick pick) => pick.Resembles switch
    {
        [] => "recommended from your library",
        [var one] => $"resembles your saved paper “{one.Title}”",
        var many => $"resembles your saved papers {string.Join(" and ", many.Select(r => $"“{r.Title}”"))}",
    };
}
