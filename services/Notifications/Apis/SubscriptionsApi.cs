using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Domain;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Library;
using Papers.Notifications.Mail;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Apis;

/// <summary>A subscription: the address, and its <see cref="SubscriptionSettings"/> (anything left out takes its default: daily at 07:00 UTC).</summary>
public record SubscribeRequest(string? Email, IReadOnlyList<string>? Topics, IReadOnlyList<CustomTopicRequest>? CustomTopics = null,
    IReadOnlyList<string>? Authors = null, IReadOnlyList<string>? Keywords = null, IReadOnlyList<string>? Seeds = null,
    string? Digest = null, string? Frequency = null, string? Weekday = null, string? TimeZone = null, int? Hour = null, string? Collection = null)
{
    public SubscriptionSettings Settings => new(Topics ?? [], CustomTopics ?? [], Authors, Keywords, Seeds, Digest, Frequency, Weekday, TimeZone, Hour, Collection);
}

/// <summary>A topic of the subscriber's own: a name, and a description and/or example papers (ids of papers here, or "title. abstract" text).</summary>
public record CustomTopicRequest(string? Name, string? Description, IReadOnlyList<string>? Examples);

public record CustomTopicDto(string Name, string? Description, IReadOnlyList<string> Examples);

/// <summary>The same answer whoever asks and whatever the address: it tells nothing about other people's subscriptions.</summary>
public record SubscribeAccepted(string Status, string Detail);

/// <summary>A subscription as its owner sees it through the manage link.</summary>
public record SubscriptionView(string Email, string Status, IReadOnlyList<string> Topics, IReadOnlyList<CustomTopicDto> CustomTopics,
    IReadOnlyList<string> Authors, IReadOnlyList<string> Keywords, IReadOnlyList<string> Seeds,
    string Digest, string Frequency, string Weekday, string TimeZone, int Hour, string? PausedReason, Guid? Collection);

/// <summary>Changes through the manage link: any of the <see cref="SubscriptionSettings"/> (null: unchanged), and pausing or resuming.</summary>
public record ChangeSubscriptionRequest(IReadOnlyList<string>? Topics = null, IReadOnlyList<CustomTopicRequest>? CustomTopics = null,
    IReadOnlyList<string>? Authors = null, IReadOnlyList<string>? Keywords = null, IReadOnlyList<string>? Seeds = null,
    string? Digest = null, string? Frequency = null, string? Weekday = null, string? TimeZone = null, int? Hour = null, bool? Paused = null,
    string? Collection = null)
{
    public SubscriptionSettings Settings => new(Topics, CustomTopics, Authors, Keywords, Seeds, Digest, Frequency, Weekday, TimeZone, Hour, Collection);
}

/// <summary>
/// Subscribing is safe to offer anonymously: double opt-in (nothing is mailed before the owner of
/// the address confirms through a signed, expiring link), the same answer whether or not the
/// address is known, no change to an existing subscription except through the signed manage link
/// mailed to its owner, at most one such mail an address an hour, and addresses that could never be
/// delivered refused up front. Running digests outside the schedule is for admins.
/// </summary>
public static class SubscriptionsApi
{
    /// <summary>Subscription requests carry at most this much (20 topics with examples fit easily).</summary>
    public const long MaxBodyBytes = 256 * 1024;

    public static readonly TimeSpan MailEvery = TimeSpan.FromHours(1);

    private static readonly SubscribeAccepted Accepted = new("check-your-inbox",
        "If this address can receive mail, a message is on its way: a link to confirm a new subscription, or to manage the existing one. Nothing else is sent before you confirm.");

    public static IEndpointRouteBuilder MapSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/subscriptions").WithTags("Subscriptions");
        group.MapPost("/", SubscribeAsync).WithName("Subscribe")
            .WithSummary("Ask for digests on topics: free text (\"quantization\"), arXiv categories (\"cs.CL\"), or customTopics defined by a description and/or example papers. A link to confirm (or, for a known address, to manage) is mailed to the address.")
            .RateLimited(RequestClass.Write, RateAction.Subscribe).MaxBodySize(MaxBodyBytes);
        group.MapGet("/confirm", ConfirmPageAsync).WithName("ConfirmPage").WithSummary("The page the confirmation link opens: what will be confirmed, and a button.")
            .RateLimited(RequestClass.Write);
        group.MapPost("/confirm", ConfirmAsync).WithName("Confirm").WithSummary("Confirms the subscription the signed link names.")
            .RateLimited(RequestClass.Write).DisableAntiforgery();
        group.MapGet("/manage", ManageAsync).WithName("ManageSubscription").WithSummary("The subscription the signed manage link names.");
        group.MapPut("/manage", ChangeAsync).WithName("ChangeSubscription")
            .WithSummary("Changes the subscription the signed manage link names: any of topics, customTopics, authors, keywords, seeds, digest (personal, trending, foryou), collection (for foryou: a collection id, or library), frequency, weekday, timeZone, hour, paused (left out: unchanged).")
            .RateLimited(RequestClass.Write).MaxBodySize(MaxBodyBytes);
        group.MapPost("/manage/unsubscribe", UnsubscribeByManageLinkAsync).WithName("UnsubscribeByManageLink").RateLimited(RequestClass.Write);
        group.MapGet("/preview", PreviewByManageLinkAsync).WithName("PreviewDigest")
            .WithSummary("The digest the signed manage link's subscriber would get now, with each paper's reason (format=html: the mail as it would be sent); nothing is sent.").RateLimited(RequestClass.Write);
        group.MapGet("/unsubscribe", UnsubscribePageAsync).WithName("UnsubscribePage")
            .WithSummary("The page the unsubscribe link in every digest opens: a button (link scanners open links; people press buttons).");
        // RFC 8058: mail clients POST "List-Unsubscribe=One-Click" here, without cookies; the secret link is the authority.
        group.MapPost("/unsubscribe", UnsubscribeAsync).WithName("Unsubscribe").WithSummary("Unsubscribes (RFC 8058 one-click, or the page's button).")
            .RateLimited(RequestClass.Write).DisableAntiforgery();
        app.MapPost("/api/digests/run", RunDigestsAsync).WithTags("Subscriptions").WithName("RunDigests")
            .WithSummary("Send the due digests now, without waiting for the next wake (admin).").RequireAuthorization(Policies.Admin);
        app.MapGet("/api/digests/preview/{subscriberId:guid}", PreviewAsync).WithTags("Subscriptions").WithName("PreviewDigestOfSubscriber")
            .WithSummary("The digest a subscriber would get now, with each paper's reason (format=html: the mail as it would be sent); nothing is sent (admin).").RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<Results<Accepted<SubscribeAccepted>, ValidationProblem>> SubscribeAsync(
        SubscribeRequest request, NotificationsDbContext db, IMailSender sender, SubscriptionLinks links, IOptions<MailOptions> mail,
        ILibraryRecommendations library, TimeProvider clock, ILogger<SubscribeRequest> logger, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!EmailAddresses.TryNormalize(request.Email, mail.Value.SmtpUtf8, out var email, out var emailError))
            errors["email"] = [emailError];
        // The settings are checked on a fresh subscription, so what is left out takes its default.
        var draft = new Subscriber { Email = "", UnsubscribeToken = "" };
        var settings = request.Settings;
        if (string.Equals(settings.Digest?.Trim(), nameof(DigestKind.ForYou), StringComparison.OrdinalIgnoreCase))
        {
            // Whether an address has an account is nobody's business but its owner's: "for you" is
            // chosen behind the manage link mailed to the address, never here, so this answer is the
            // same for every address.
            errors["digest"] = ["Choose the \"for you\" digest on the manage page, from the link in your confirmation mail."];
            settings = settings with { Digest = null, Collection = null };
        }
        foreach (var (field, problems) in await SubscriptionRules.ApplyAsync(settings, draft, db, library, cancellationToken))
            errors[field] = problems;
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var now = clock.GetUtcNow().UtcDateTime;
        var subscriber = await db.Subscribers.FirstOrDefaultAsync(s => s.Email == email, cancellationToken);
        if (subscriber is null)
        {
            subscriber = new Subscriber
            {
                Id = Guid.NewGuid(),
                Email = email!,
                UnsubscribeToken = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
                CreatedAt = now,
            };
            SubscriptionRules.CopySettings(draft, subscriber);
            db.Subscribers.Add(subscriber);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // A concurrent request created it first (unique address): carry on as for a known address.
                db.ChangeTracker.Clear();
                subscriber = await db.Subscribers.SingleAsync(s => s.Email == email, cancellationToken);
            }
        }
        else if (!subscriber.Active)
        {
            // Not receiving digests (never confirmed, or unsubscribed): nothing of anyone's to hijack;
            // the settings wait for the confirmation the mail asks for.
            SubscriptionRules.CopySettings(draft, subscriber);
            await db.SaveChangesAsync(cancellationToken);
        }

        // One mail an address an hour, whoever asks: the UPDATE is the guard, so concurrent requests send one.
        var before = now - MailEvery;
        var mayMail = await db.Subscribers.Where(s => s.Id == subscriber.Id && (s.LastMailedAt == null || s.LastMailedAt <= before))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastMailedAt, now), cancellationToken) == 1;
        if (mayMail)
        {
            var message = subscriber.Active
                ? SubscriptionMails.Manage(subscriber, links.ManagePageUrl(subscriber), mail.Value)
                : SubscriptionMails.Confirm(subscriber, links.ConfirmUrl(subscriber), mail.Value);
            try
            {
                await sender.SendAsync(message, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The answer stays the same: it must not tell whether the address exists or works.
                logger.LogWarning(ex, "Subscription mail to subscriber {Subscriber} could not be sent", subscriber.Id);
            }
        }
        return TypedResults.Accepted((string?)null, Accepted);
    }

    public static async Task<ContentHttpResult> ConfirmPageAsync(string? token, NotificationsDbContext db, SubscriptionLinks links, CancellationToken cancellationToken)
    {
        var subscriber = await FindAsync(links.ReadConfirm(token), db, cancellationToken);
        if (subscriber is null)
            return Page(StatusCodes.Status400BadRequest, "This link does not work", "It may have expired or been cut short. Subscribe again to get a new one.");
        if (subscriber.Active)
            return Page(StatusCodes.Status200OK, "Already confirmed", $"Digests of {SubscriptionRules.Describe(subscriber)} go to {subscriber.Email}.");
        // A button, not a confirmation on GET: mail scanners open links, people press buttons.
        return Page(StatusCodes.Status200OK, "Confirm your subscription",
            $"Digests of {SubscriptionRules.Describe(subscriber)} will go to {subscriber.Email}.",
            $"<form method=\"post\" action=\"/api/subscriptions/confirm?token={WebUtility.HtmlEncode(Uri.EscapeDataString(token!))}\"><button>Confirm</button></form>");
    }

    public static async Task<ContentHttpResult> ConfirmAsync(string? token, NotificationsDbContext db, SubscriptionLinks links, TimeProvider clock, CancellationToken cancellationToken)
    {
        var subscriber = await FindAsync(links.ReadConfirm(token), db, cancellationToken);
        if (subscriber is null)
            return Page(StatusCodes.Status400BadRequest, "This link does not work", "It may have expired or been cut short. Subscribe again to get a new one.");
        subscriber.Active = true;
        subscriber.ConfirmedAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return Page(StatusCodes.Status200OK, "Subscribed", $"Digests of {SubscriptionRules.Describe(subscriber)} will go to {subscriber.Email}. Every digest has a link to change or stop them.");
    }

    public static async Task<Results<Ok<SubscriptionView>, ProblemHttpResult>> ManageAsync(string? token, NotificationsDbContext db, SubscriptionLinks links, CancellationToken cancellationToken) =>
        await FindAsync(links.ReadManage(token), db, cancellationToken) is { } s ? TypedResults.Ok(View(s)) : BadLink();

    public static async Task<Results<Ok<SubscriptionView>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        string? token, ChangeSubscriptionRequest request, NotificationsDbContext db, SubscriptionLinks links, ILibraryRecommendations library, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var subscriber = await FindAsync(links.ReadManage(token), db, cancellationToken);
        if (subscriber is null)
            return BadLink();
        var errors = await SubscriptionRules.ApplyAsync(request.Settings, subscriber, db, library, cancellationToken);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        if (request.Paused is { } paused)
            SubscriptionRules.Pause(subscriber, paused, clock);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(subscriber));
    }

    public static async Task<Results<Ok<SubscriptionView>, ProblemHttpResult>> UnsubscribeByManageLinkAsync(
        string? token, NotificationsDbContext db, SubscriptionLinks links, TimeProvider clock, CancellationToken cancellationToken)
    {
        var subscriber = await FindAsync(links.ReadManage(token), db, cancellationToken);
        if (subscriber is null)
            return BadLink();
        await SubscriptionRules.UnsubscribeAsync(subscriber, "manage-page", db, clock, cancellationToken);
        return TypedResults.Ok(View(subscriber));
    }

    public static async Task<Results<Ok<DigestPreview>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> PreviewByManageLinkAsync(
        string? token, string? format, NotificationsDbContext db, SubscriptionLinks links, DigestPreviews previews, CancellationToken cancellationToken)
    {
        if (BadPreviewFormat(format) is { } bad)
            return bad;
        return await FindAsync(links.ReadManage(token), db, cancellationToken) is { } s ? await PreviewAsAsync(s, format, previews, cancellationToken) : BadLink();
    }

    public static async Task<Results<Ok<DigestPreview>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> PreviewAsync(
        Guid subscriberId, string? format, NotificationsDbContext db, DigestPreviews previews, CancellationToken cancellationToken)
    {
        if (BadPreviewFormat(format) is { } bad)
            return bad;
        return await db.Subscribers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == subscriberId, cancellationToken) is { } s
            ? await PreviewAsAsync(s, format, previews, cancellationToken)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such subscriber", detail: $"No subscriber has the id {subscriberId}.");
    }

    private static ValidationProblem? BadPreviewFormat(string? format) => format is null or "json" or "html"
        ? null
        : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"format must be json or html; got '{Problems.Echo(format)}'."] });

    /// <summary><c>json</c> (the default): the papers with their reasons; <c>html</c>: the mail's HTML part as a run would send it now.</summary>
    private static async Task<Results<Ok<DigestPreview>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> PreviewAsAsync(
        Subscriber subscriber, string? format, DigestPreviews previews, CancellationToken cancellationToken) => format == "html"
            ? TypedResults.Content(await previews.HtmlAsync(subscriber, cancellationToken), "text/html; charset=utf-8")
            : TypedResults.Ok(await previews.PreviewAsync(subscriber, cancellationToken));

    private static async Task<Subscriber?> FindAsync((Guid Id, string Email)? link, NotificationsDbContext db, CancellationToken cancellationToken) =>
        link is { } l ? await db.Subscribers.FirstOrDefaultAsync(s => s.Id == l.Id && s.Email == l.Email, cancellationToken) : null;

    public static SubscriptionView View(Subscriber s) => new(s.Email,
        s.Active ? s.PausedAt is null ? "active" : "paused" : s.ConfirmedAt is null ? "pending" : "unsubscribed", s.Topics,
        [.. s.TopicDefinitions.Select(d => new CustomTopicDto(d.Name, d.Description, d.Examples))], s.Authors, s.Keywords, s.Seeds,
        Lower(s.Kind), Lower(s.Frequency), Lower(s.Weekday), s.TimeZone, s.Hour, s.PausedReason, s.ForYouCollection);

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static ProblemHttpResult BadLink() => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "This link does not work",
        detail: "The manage link is forged, expired or cut short; every digest carries a fresh one.");

    public static ContentHttpResult Page(int status, string title, string text, string extra = "") => TypedResults.Content(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head><body><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(text)}</p>{extra}</body></html>",
        "text/html; charset=utf-8", statusCode: status);

    public static async Task<ContentHttpResult> UnsubscribePageAsync(string? token, NotificationsDbContext db, CancellationToken cancellationToken)
    {
        if (await ByUnsubscribeTokenAsync(token, db, cancellationToken) is not { } subscriber)
            return UnknownUnsubscribeLink();
        if (!subscriber.Active)
            return Page(StatusCodes.Status200OK, "Unsubscribed", $"No digests go to {subscriber.Email}.");
        return Page(StatusCodes.Status200OK, "Unsubscribe?", $"Stop the Papers digests to {subscriber.Email}.",
            $"<form method=\"post\" action=\"/api/subscriptions/unsubscribe?token={WebUtility.HtmlEncode(Uri.EscapeDataString(token!))}\"><button>Unsubscribe</button></form>");
    }

    /// <summary>RFC 8058's one-click POST (body <c>List-Unsubscribe=One-Click</c>) or the page's button: the address gets no more digests.</summary>
    public static async Task<ContentHttpResult> UnsubscribeAsync(string? token, HttpContext http, NotificationsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await ByUnsubscribeTokenAsync(token, db, cancellationToken) is not { } subscriber)
            return UnknownUnsubscribeLink();
        var oneClick = http.Request.HasFormContentType && (await http.Request.ReadFormAsync(cancellationToken))["List-Unsubscribe"] == "One-Click";
        await SubscriptionRules.UnsubscribeAsync(subscriber, oneClick ? "one-click" : "confirm-page", db, clock, cancellationToken);
        return Page(StatusCodes.Status200OK, "Unsubscribed", $"No more digests will be sent to {subscriber.Email}.");
    }

    private static async Task<Subscriber?> ByUnsubscribeTokenAsync(string? token, NotificationsDbContext db, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(token) || token.Length > 64 ? null : await db.Subscribers.FirstOrDefaultAsync(s => s.UnsubscribeToken == token, cancellationToken);

    private static ContentHttpResult UnknownUnsubscribeLink() =>
        Page(StatusCodes.Status404NotFound, "Unknown unsubscribe link", "This link does not belong to any subscription; it may have been mistyped.");

    /// <summary>Runs the digests now; 409 while another run (scheduled, or asked for on any replica) holds the lease.</summary>
    public static async Task<Results<Ok<DigestRunSummary>, ProblemHttpResult>> RunDigestsAsync(DigestRunner runner, CancellationToken cancellationToken)
    {
        var run = await runner.RunAsync(cancellationToken);
        return run.Outcome == LeaseOutcome.Ran
            ? TypedResults.Ok(run.Value!)
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A digest run is in progress",
                detail: "Another digest run (the scheduled one, or one asked for on another replica) is sending digests now; each subscriber gets one digest per period whichever run sends it. Ask again once it has finished.");
    }
}
