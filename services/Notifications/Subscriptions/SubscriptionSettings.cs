using Microsoft.EntityFrameworkCore;
using Papers.Contracts;
using Papers.Domain;
using Papers.Notifications.Apis;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Library;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Subscriptions;

/// <summary>
/// What a subscriber chooses, as subscribing and the manage link send it: what the digest follows
/// (topics, their own topics, authors, keywords, seed papers — or the trending digest) and when it
/// comes (daily or weekly on a weekday, at an hour of their IANA time zone). A null field leaves
/// the subscriber's value as it is.
/// </summary>
public record SubscriptionSettings(
    IReadOnlyList<string>? Topics = null,
    IReadOnlyList<CustomTopicRequest>? CustomTopics = null,
    IReadOnlyList<string>? Authors = null,
    IReadOnlyList<string>? Keywords = null,
    IReadOnlyList<string>? Seeds = null,
    string? Digest = null,
    string? Frequency = null,
    string? Weekday = null,
    string? TimeZone = null,
    int? Hour = null,
    string? Collection = null);

/// <summary>Checks <see cref="SubscriptionSettings"/> and applies them; every problem names its field and the value given.</summary>
public static class SubscriptionRules
{
    public const int MaxTopics = 20, MaxTopicLength = 100, MaxDescriptionLength = 2_000, MaxExamples = 10, MaxExampleLength = 10_000;
    public const int MaxAuthors = 50, MaxKeywords = 50, MaxSeeds = 20, MaxNameLength = 200;

    /// <summary>Validates <paramref name="settings"/> against what <paramref name="subscriber"/> has, and applies them when all is well.</summary>
    public static async Task<Dictionary<string, string[]>> ApplyAsync(SubscriptionSettings settings, Subscriber subscriber, NotificationsDbContext db,
        ILibraryRecommendations library, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var (topics, definitions) = settings.Topics is null && settings.CustomTopics is null
            ? (subscriber.Topics, subscriber.TopicDefinitions)
            : await TopicsAsync(settings.Topics, settings.CustomTopics, db, errors, cancellationToken);
        var authors = settings.Authors is null ? subscriber.Authors : Names("authors", settings.Authors, MaxAuthors, errors);
        var keywords = settings.Keywords is null ? subscriber.Keywords : Names("keywords", settings.Keywords, MaxKeywords, errors);
        var seeds = settings.Seeds is null ? subscriber.Seeds : await SeedsAsync(settings.Seeds, db, errors, cancellationToken);
        var kind = Parse(settings.Digest, "digest", subscriber.Kind, errors);
        var frequency = Parse(settings.Frequency, "frequency", subscriber.Frequency, errors);
        var weekday = Parse(settings.Weekday, "weekday", subscriber.Weekday, errors);
        var zone = subscriber.TimeZone;
        if (settings.TimeZone is not null)
        {
            if (DigestSchedule.TryFindZone(settings.TimeZone.Trim(), out var found))
                zone = found.Id;
            else
                errors["timeZone"] = [$"timeZone must be an IANA time zone id such as Europe/Berlin or America/Los_Angeles; got '{Problems.Echo(settings.TimeZone)}'."];
        }
        if (settings.Hour is { } hour and not (>= 0 and <= 23))
            errors["hour"] = [$"hour must be a whole hour from 0 to 23 (in your time zone); got {hour}."];
        if (errors.Count == 0 && kind == DigestKind.Personal && topics.Count + authors.Count + keywords.Count + seeds.Count == 0)
            errors["topics"] = ["Follow at least one topic, author, keyword or seed paper, or choose the trending digest (digest: trending)."];
        var collection = subscriber.ForYouCollection;
        if (errors.Count == 0 && (kind == DigestKind.ForYou && (settings.Digest is not null || settings.Collection is not null)))
            collection = await ForYouAsync(subscriber.Email, settings.Collection, collection, db, library, errors, cancellationToken);
        if (errors.Count > 0)
            return errors;

        (subscriber.Topics, subscriber.TopicDefinitions, subscriber.Authors, subscriber.Keywords, subscriber.Seeds) = (topics, definitions, authors, keywords, seeds);
        (subscriber.Kind, subscriber.Frequency, subscriber.Weekday, subscriber.TimeZone) = (kind, frequency, weekday, zone);
        subscriber.Hour = settings.Hour ?? subscriber.Hour;
        subscriber.ForYouCollection = collection;
        return errors;
    }

    /// <summary>
    /// A "for you" digest needs the address's account (signed in with a provider that verified this
    /// address); <paramref name="collection"/> is one of that account's collections, or empty (or
    /// <c>library</c>) for the whole library. Returns the collection to keep.
    /// </summary>
    private static async Task<Guid?> ForYouAsync(string email, string? collection, Guid? current, NotificationsDbContext db, ILibraryRecommendations library,
        Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (await AccountLinks.ForAsync(db, email, cancellationToken) is not { } account)
        {
            errors["digest"] = [$"A \"for you\" digest reads the library of your account: sign in with a provider that has verified {email}, then choose it again."];
            return current;
        }
        var text = collection?.Trim();
        if (text is null)
            return current;
        if (text.Length == 0 || string.Equals(text, "library", StringComparison.OrdinalIgnoreCase))
            return null;
        if (!Guid.TryParse(text, out var id))
        {
            errors["collection"] = [$"collection is the id of one of your collections, or 'library' for all of them; got '{Problems.Echo(text)}'."];
            return current;
        }
        try
        {
            if ((await library.CollectionsAsync(account, cancellationToken))?.Any(c => c.Id == id) != true)
                errors["collection"] = [$"'{id}' is not one of your collections."];
        }
        catch (HttpRequestException)
        {
            errors["collection"] = ["Your collections can't be read just now; try again in a minute."];
        }
        return id;
    }

    public static void CopySettings(Subscriber from, Subscriber to)
    {
        (to.Topics, to.TopicDefinitions, to.Authors, to.Keywords, to.Seeds) = (from.Topics, from.TopicDefinitions, from.Authors, from.Keywords, from.Seeds);
        (to.Kind, to.Frequency, to.Weekday, to.TimeZone, to.Hour, to.ForYouCollection) = (from.Kind, from.Frequency, from.Weekday, from.TimeZone, from.Hour, from.ForYouCollection);
    }

    /// <summary>Pausing stops digests until resumed; resuming also clears a pause that delivery failures caused.</summary>
    public static void Pause(Subscriber subscriber, bool paused, TimeProvider clock)
    {
        if (paused && subscriber.PausedAt is null)
            (subscriber.PausedAt, subscriber.PausedReason) = (clock.GetUtcNow().UtcDateTime, "paused by the subscriber");
        else if (!paused)
            (subscriber.PausedAt, subscriber.PausedReason, subscriber.PermanentFailures) = (null, null, 0);
    }

    /// <summary>Stops the digests, with an <see cref="Unsubscribed"/> event (once: unsubscribing again changes nothing).</summary>
    public static async Task UnsubscribeAsync(Subscriber subscriber, string via, NotificationsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!subscriber.Active)
            return;
        subscriber.Active = false;
        db.AddToOutbox(new Unsubscribed(subscriber.Id, via, clock.GetUtcNow()), clock);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>What the subscriber gets and when, in words (pages and mails).</summary>
    public static string Describe(Subscriber s)
    {
        var when = (s.Frequency == DigestFrequency.Weekly ? $"every {s.Weekday}" : "daily") + $" at {s.Hour:00}:00 ({s.TimeZone})";
        if (s.Kind == DigestKind.Trending)
            return $"the trending papers, {when}";
        if (s.Kind == DigestKind.ForYou)
            return $"recommendations from {(s.ForYouCollection is null ? "your library" : "one collection of your library")}, {when}";
        var what = new List<string>();
        if (s.Topics.Count > 0)
            what.Add("on " + string.Join(", ", s.Topics));
        if (s.Authors.Count > 0)
            what.Add("by " + string.Join(", ", s.Authors));
        if (s.Keywords.Count > 0)
            what.Add("mentioning " + string.Join(", ", s.Keywords));
        if (s.Seeds.Count > 0)
            what.Add("like " + string.Join(", ", s.Seeds));
        return $"new papers {string.Join("; ", what)}, {when}";
    }

    private static T Parse<T>(string? text, string field, T current, Dictionary<string, string[]> errors) where T : struct, Enum
    {
        if (text is null)
            return current;
        if (Enum.TryParse<T>(text.Trim(), ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _))
            return value;
        errors[field] = [$"{field} must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}; got '{Problems.Echo(text)}'."];
        return current;
    }

    private static List<string> Names(string field, IReadOnlyList<string> given, int max, Dictionary<string, string[]> errors)
    {
        if (given.Count > max)
        {
            errors[field] = [$"At most {max} {field}; got {given.Count}."];
            return [];
        }
        var names = given.Select(n => n?.Trim() ?? "").Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (names.FirstOrDefault(n => n.Length > MaxNameLength) is { } tooLong)
            errors[field] = [$"An entry of {field} has at most {MaxNameLength} characters; '{Problems.Echo(tooLong)}' has {tooLong.Length}."];
        return names;
    }

    /// <summary>Seed papers must be papers known here: their embedding is what "more like these" compares with.</summary>
    private static async Task<List<string>> SeedsAsync(IReadOnlyList<string> given, NotificationsDbContext db, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (given.Count > MaxSeeds)
        {
            errors["seeds"] = [$"At most {MaxSeeds} seed papers; got {given.Count}."];
            return [];
        }
        var seeds = new List<string>();
        foreach (var text in given.Where(t => !string.IsNullOrWhiteSpace(t)))
        {
            if (PaperIds.Normalize(text) is { } id)
                seeds.Add(id);
            else
                errors["seeds"] = [$"A seed is a paper id such as 2401.01234; got '{Problems.Echo(text)}'."];
        }
        seeds = seeds.Distinct().ToList();
        var known = seeds.Count == 0 ? [] : (await db.Candidates.Where(c => seeds.Contains(c.PaperId) && c.Embedding != null).Select(c => c.PaperId).ToListAsync(cancellationToken)).ToHashSet();
        if (seeds.Where(s => !known.Contains(s)).ToList() is [_, ..] unknown)
            errors["seeds"] = [$"Not papers known here (yet): {Problems.Echo(string.Join(", ", unknown))}."];
        return seeds;
    }

    /// <summary>
    /// Free-text topics, arXiv categories (written as the taxonomy writes them) and the caller's own
    /// topics, validated; counts are checked before anything else, and one query looks up every
    /// example paper id.
    /// </summary>
    public static async Task<(List<string> Topics, List<SubscriberTopic> Definitions)> TopicsAsync(
        IReadOnlyList<string>? requestedTopics, IReadOnlyList<CustomTopicRequest>? requestedCustom, NotificationsDbContext db,
        Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        requestedTopics ??= [];
        requestedCustom ??= [];
        if (requestedTopics.Count + requestedCustom.Count > MaxTopics)
        {
            errors["topics"] = [$"At most {MaxTopics} topics, your own included; got {requestedTopics.Count + requestedCustom.Count}."];
            return ([], []);
        }
        var definitions = CustomTopics(requestedCustom, errors);
        var ids = definitions.SelectMany(d => d.Examples).Where(PaperIds.IsPaperId).Distinct().ToList();
        var known = ids.Count == 0 ? [] : (await db.Candidates.Where(c => ids.Contains(c.PaperId)).Select(c => c.PaperId).ToListAsync(cancellationToken)).ToHashSet();
        for (var i = 0; i < definitions.Count; i++)
        {
            if (definitions[i].Examples.Where(PaperIds.IsPaperId).Where(e => !known.Contains(e)).ToList() is [_, ..] unknown)
                errors[$"customTopics[{i}].examples"] = [$"Not papers known here (yet): {Problems.Echo(string.Join(", ", unknown))}. Give their title and abstract as text instead."];
        }
        var topics = requestedTopics.Select(t => t?.Trim() ?? "").Where(t => t.Length > 0)
            .Select(t => ArxivTaxonomy.TryGet(t, out var category) ? category.Id : t)
            .Concat(definitions.Select(d => d.Name)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (topics.FirstOrDefault(t => t.Length > MaxTopicLength) is { } tooLong)
            errors["topics"] = [$"A topic may have at most {MaxTopicLength} characters; '{Problems.Echo(tooLong[..20])}…' has {tooLong.Length}."];
        return (topics, definitions);
    }

    /// <summary>The caller's own topics, each checked on its own (problems under <c>customTopics[i]…</c>).</summary>
    private static List<SubscriberTopic> CustomTopics(IReadOnlyList<CustomTopicRequest> requested, Dictionary<string, string[]> errors)
    {
        var topics = new List<SubscriberTopic>();
        for (var i = 0; i < requested.Count; i++)
        {
            var field = $"customTopics[{i}]";
            var name = requested[i]?.Name?.Trim() ?? "";
            var description = string.IsNullOrWhiteSpace(requested[i]?.Description) ? null : requested[i].Description!.Trim();
            var given = requested[i]?.Examples ?? [];
            if (given.Count > MaxExamples)
            {
                errors[$"{field}.examples"] = [$"At most {MaxExamples} examples; got {given.Count}."];
                given = [];
            }
            var examples = given.Select(e => e?.Trim() ?? "").Where(e => e.Length > 0)
                .Select(e => PaperIds.Normalize(e) ?? e).Distinct(StringComparer.Ordinal).ToList();
            if (name.Length is 0 or > MaxTopicLength)
                errors[$"{field}.name"] = [$"A custom topic needs a name of 1 to {MaxTopicLength} characters; got '{Problems.Echo(name)}'."];
            else if (ArxivTaxonomy.IsCategory(name))
                errors[$"{field}.name"] = [$"'{name}' is an arXiv category; follow it in topics, or give the custom topic another name."];
            if (description is null && examples.Count == 0)
                errors[field] = [$"Custom topic '{Problems.Echo(name)}' needs a description or examples (paper ids or \"title. abstract\" texts)."];
            if (description?.Length > MaxDescriptionLength)
                errors[$"{field}.description"] = [$"At most {MaxDescriptionLength} characters; got {description.Length}."];
            if (examples.Any(e => e.Length > MaxExampleLength))
                errors[$"{field}.examples"] = [$"An example has at most {MaxExampleLength} characters."];
            topics.Add(new SubscriberTopic { Name = name, Description = description, Examples = examples });
        }
        if (topics.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
            errors["customTopics"] = [$"Custom topic '{Problems.Echo(twice.Key)}' is defined twice."];
        return topics;
    }

}
