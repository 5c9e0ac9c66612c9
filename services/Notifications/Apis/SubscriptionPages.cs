using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Library;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Apis;

/// <summary>
/// The manage page every digest links to (<c>/subscriptions/manage?token=…</c>, the signed manage
/// link): a form without script to change what the digest follows and when it comes, pause or
/// resume it, preview the next one, or unsubscribe. The form carries an antiforgery token as well
/// as the signed link, like the pages' other forms.
/// </summary>
public static class SubscriptionPages
{
    public static IEndpointRouteBuilder MapSubscriptionPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/subscriptions").ExcludeFromDescription();
        pages.MapGet("/manage", ManagePageAsync).RateLimited(RequestClass.Write);
        pages.MapPost("/manage", SaveAsync).RateLimited(RequestClass.Write).MaxBodySize(SubscriptionsApi.MaxBodyBytes);
        pages.MapPost("/manage/unsubscribe", UnsubscribeAsync).RateLimited(RequestClass.Write);
        return app;
    }

    public static async Task<IResult> ManagePageAsync(string? token, HttpContext http, NotificationsDbContext db, SubscriptionLinks links, IAntiforgery antiforgery,
        ILibraryRecommendations library, CancellationToken cancellationToken) =>
        await FindAsync(token, db, links, cancellationToken) is { } s
            ? Form(s, await CollectionsAsync(s, db, library, cancellationToken), token!, http, antiforgery, [])
            : BadLink();

    public static async Task<IResult> SaveAsync(string? token, HttpContext http, NotificationsDbContext db, SubscriptionLinks links, IAntiforgery antiforgery,
        ILibraryRecommendations library, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await FindAsync(token, db, links, cancellationToken) is not { } subscriber)
            return BadLink();
        var collections = await CollectionsAsync(subscriber, db, library, cancellationToken);
        if (await FormAsync(http, antiforgery, cancellationToken) is not { } form)
            return Expired();
        var defined = subscriber.TopicDefinitions.Select(d => d.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var settings = new SubscriptionSettings(
            Topics: [.. List(form["topics"]).Where(t => !defined.Contains(t))],
            // The form does not edit the subscriber's own topic definitions: they are kept.
            CustomTopics: [.. subscriber.TopicDefinitions.Select(d => new CustomTopicRequest(d.Name, d.Description, d.Examples))],
            Authors: List(form["authors"]), Keywords: List(form["keywords"]), Seeds: List(form["seeds"]),
            Digest: form["digest"], Frequency: form["frequency"], Weekday: form["weekday"], TimeZone: form["timeZone"],
            Hour: int.TryParse(form["hour"], out var hour) ? hour : -1, Collection: form["collection"]);
        var errors = await SubscriptionRules.ApplyAsync(settings, subscriber, db, library, cancellationToken);
        if (errors.Count > 0)
        {
            // Show what was typed, with what to fix; nothing is saved.
            db.ChangeTracker.Clear();
            return Form(subscriber, collections, token!, http, antiforgery, errors, StatusCodes.Status400BadRequest);
        }
        SubscriptionRules.Pause(subscriber, form["paused"] == "on", clock);
        await db.SaveChangesAsync(cancellationToken);
        return Form(subscriber, collections, token!, http, antiforgery, [], saved: true);
    }

    public static async Task<IResult> UnsubscribeAsync(string? token, HttpContext http, NotificationsDbContext db, SubscriptionLinks links, IAntiforgery antiforgery,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await FindAsync(token, db, links, cancellationToken) is not { } subscriber)
            return BadLink();
        if (await FormAsync(http, antiforgery, cancellationToken) is null)
            return Expired();
        await SubscriptionRules.UnsubscribeAsync(subscriber, "manage-page", db, clock, cancellationToken);
        return SubscriptionsApi.Page(StatusCodes.Status200OK, "Unsubscribed", $"No more digests will be sent to {subscriber.Email}.");
    }

    private static async Task<IFormCollection?> FormAsync(HttpContext http, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (!http.Request.HasFormContentType)
            return null;
        try
        {
            var form = await http.Request.ReadFormAsync(cancellationToken);
            return await antiforgery.IsRequestValidAsync(http) ? form : null;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException and not BadHttpRequestException)
        {
            return null;
        }
    }

    private static List<string> List(string? text) =>
        [.. (text ?? "").Split([',', ';', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static async Task<Subscriber?> FindAsync(string? token, NotificationsDbContext db, SubscriptionLinks links, CancellationToken cancellationToken) =>
        links.ReadManage(token) is { } l ? await db.Subscribers.FindAsync([l.Id], cancellationToken) is { } s && s.Email == l.Email ? s : null : null;

    private static IResult BadLink() => SubscriptionsApi.Page(StatusCodes.Status400BadRequest, "This link does not work",
        "The manage link is forged, expired or cut short; every digest carries a fresh one.");

    private static IResult Expired() => SubscriptionsApi.Page(StatusCodes.Status400BadRequest, "This page has expired",
        "Open the manage link from your latest digest again and resubmit.");

    /// <summary>The collections of the account linked to the address (empty when the Api can't be asked now); null when no account is linked.</summary>
    private static async Task<IReadOnlyList<LibraryCollection>?> CollectionsAsync(Subscriber s, NotificationsDbContext db, ILibraryRecommendations library, CancellationToken cancellationToken)
    {
        if (await AccountLinks.ForAsync(db, s.Email, cancellationToken) is not { } account)
            return null;
        try
        {
            return await library.CollectionsAsync(account, cancellationToken) ?? [];
        }
        catch (HttpRequestException)
        {
            return [];
        }
    }

    private static IResult Form(Subscriber s, IReadOnlyList<LibraryCollection>? collections, string token, HttpContext http, IAntiforgery antiforgery,
        Dictionary<string, string[]> errors, int status = StatusCodes.Status200OK, bool saved = false)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var q = WebUtility.HtmlEncode(Uri.EscapeDataString(token));
        var hidden = $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(tokens.FormFieldName)}\" value=\"{WebUtility.HtmlEncode(tokens.RequestToken)}\">";
        string E(string text) => WebUtility.HtmlEncode(text);
        string Option(string name, string value, string current) => $"<option value=\"{value}\"{(string.Equals(value, current, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{name}</option>";
        string Field(string label, string name, string value) => $"<p><label>{label}<br><input name=\"{name}\" value=\"{E(value)}\" size=\"60\"></label></p>";
        var problems = errors.Count == 0 ? "" : "<ul style=\"color:#b00\">" + string.Concat(errors.SelectMany(e => e.Value.Select(m => $"<li>{E(e.Key)}: {E(m)}</li>"))) + "</ul>";
        // "For you" is offered once an account signed in with this address, verified by its provider.
        var forYou = collections is null
            ? "<p>Sign in to Papers with this address (verified by your provider) to get recommendations from your library here.</p>"
            : $"<p><label>\"For you\" reads <select name=\"collection\">{Option("my whole library", "library", s.ForYouCollection is null ? "library" : "")}{string.Concat(collections.Select(c => Option("the collection " + E(c.Name), c.Id.ToString(), s.ForYouCollection?.ToString() ?? "")))}</select></label></p>";
        var forYouOption = collections is null ? "" : Option("for you: recommendations from my library", "foryou", s.Kind.ToString());
        var status_ = s.Active ? s.PausedAt is null ? "active" : $"paused ({s.PausedReason})" : "unsubscribed";
        var body = $"""
            {(saved ? "<p><b>Saved.</b></p>" : "")}{problems}
            <p>Digests to {E(s.Email)}: {E(status_)}. Now: {E(SubscriptionRules.Describe(s))}.</p>
            <form method="post" action="/subscriptions/manage?token={q}">{hidden}
            <p><label>Digest <select name="digest">{Option("my topics, authors, keywords and seed papers", "personal", s.Kind.ToString())}{Option("trending papers (the same for everyone)", "trending", s.Kind.ToString())}{forYouOption}</select></label></p>
            {forYou}
            {Field("Topics (arXiv categories such as cs.CL, or free text; comma-separated)", "topics", string.Join(", ", s.Topics))}
            {Field("Authors (comma-separated)", "authors", string.Join(", ", s.Authors))}
            {Field("Keywords in titles and abstracts (comma-separated)", "keywords", string.Join(", ", s.Keywords))}
            {Field("Seed papers: more like these (paper ids, comma-separated)", "seeds", string.Join(", ", s.Seeds))}
            <p><label>How often <select name="frequency">{Option("daily", "daily", s.Frequency.ToString())}{Option("weekly", "weekly", s.Frequency.ToString())}</select></label>
            <label>on (weekly) <select name="weekday">{string.Concat(Enum.GetNames<DayOfWeek>().Select(d => Option(d, d.ToLowerInvariant(), s.Weekday.ToString())))}</select></label></p>
            <p><label>At hour (0–23) <input name="hour" type="number" min="0" max="23" value="{s.Hour}"></label>
            <label>in time zone (IANA, such as Europe/Berlin) <input name="timeZone" value="{E(s.TimeZone)}"></label></p>
            <p><label><input type="checkbox" name="paused"{(s.PausedAt is null ? "" : " checked")}> Pause my digests</label></p>
            <p><button>Save</button></p></form>
            <p><a href="/api/subscriptions/preview?token={q}&amp;format=html">Preview my next digest</a> (<a href="/api/subscriptions/preview?token={q}">as JSON</a>)</p>
            <form method="post" action="/subscriptions/manage/unsubscribe?token={q}">{hidden}<button>Unsubscribe</button></form>
            """;
        return SubscriptionsApi.Page(status, "Your Papers digest", "", body);
    }
}
