using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Domain;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Mail;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Apis;

public record SubscribeRequest(string? Email, IReadOnlyList<string>? Topics, IReadOnlyList<CustomTopicRequest>? CustomTopics = null);

/// <summary>A topic of the subscriber's own: a name, and a description and/or example papers (ids of papers here, or "title. abstract" text).</summary>
public record CustomTopicRequest(string? Name, string? Description, IReadOnlyList<string>? Examples);

public record CustomTopicDto(string Name, string? Description, IReadOnlyList<string> Examples);

/// <summary>The same answer whoever asks and whatever the address: it tells nothing about other people's subscriptions.</summary>
public record SubscribeAccepted(string Status, string Detail);

/// <summary>A subscription as its owner sees it through the manage link.</summary>
public record SubscriptionView(string Email, string Status, IReadOnlyList<string> Topics, IReadOnlyList<CustomTopicDto> CustomTopics);

public record ChangeTopicsRequest(IReadOnlyList<string>? Topics, IReadOnlyList<CustomTopicRequest>? CustomTopics = null);

/// <summary>
/// Subscribing is safe to offer anonymously: double opt-in (nothing is mailed before the owner of
/// the address confirms through a signed, expiring link), the same answer whether or not the
/// address is known, no change to an existing subscription except through the signed manage link
/// mailed to its owner, at most one such mail an address an hour, and addresses that could never be
/// delivered refused up front. Running digests outside the schedule is for admins.
/// </summary>
public static class SubscriptionsApi
{
    public const int MaxTopics = 20, MaxTopicLength = 100, MaxDescriptionLength = 2_000, MaxExamples = 10, MaxExampleLength = 10_000;

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
        group.MapPut("/manage", ChangeTopicsAsync).WithName("ChangeTopics").WithSummary("Replaces the topics of the subscription the signed manage link names.")
            .RateLimited(RequestClass.Write).MaxBodySize(MaxBodyBytes);
        group.MapPost("/manage/unsubscribe", UnsubscribeByManageLinkAsync).WithName("UnsubscribeByManageLink").RateLimited(RequestClass.Write);
        group.MapGet("/unsubscribe", UnsubscribeAsync).WithName("Unsubscribe").WithSummary("The link in every digest.");
        app.MapPost("/api/digests/run", RunDigestsAsync).WithTags("Subscriptions").WithName("RunDigests")
            .WithSummary("Send due digests now, outside the schedule (admin).").RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<Results<Accepted<SubscribeAccepted>, ValidationProblem>> SubscribeAsync(
        SubscribeRequest request, NotificationsDbContext db, IMailSender sender, SubscriptionLinks links, IOptions<MailOptions> mail,
        TimeProvider clock, ILogger<SubscribeRequest> logger, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!EmailAddresses.TryNormalize(request.Email, mail.Value.SmtpUtf8, out var email, out var emailError))
            errors["email"] = [emailError];
        var (topics, definitions) = await TopicsAsync(request.Topics, request.CustomTopics, db, errors, cancellationToken);
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
                Topics = topics,
                TopicDefinitions = definitions,
            };
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
            // the topics wait for the confirmation the mail asks for.
            subscriber.Topics = topics;
            subscriber.TopicDefinitions = definitions;
            await db.SaveChangesAsync(cancellationToken);
        }

        // One mail an address an hour, whoever asks: the UPDATE is the guard, so concurrent requests send one.
        var before = now - MailEvery;
        var mayMail = await db.Subscribers.Where(s => s.Id == subscriber.Id && (s.LastMailedAt == null || s.LastMailedAt <= before))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastMailedAt, now), cancellationToken) == 1;
        if (mayMail)
        {
            var message = subscriber.Active
                ? SubscriptionMails.Manage(subscriber, links.ManageUrl(subscriber), mail.Value)
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
            return Page(StatusCodes.Status200OK, "Already confirmed", $"Digests on {string.Join(", ", subscriber.Topics)} go to {subscriber.Email}.");
        // A button, not a confirmation on GET: mail scanners open links, people press buttons.
        return Page(StatusCodes.Status200OK, "Confirm your subscription",
            $"Digests on {string.Join(", ", subscriber.Topics)} will go to {subscriber.Email}.",
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
        return Page(StatusCodes.Status200OK, "Subscribed", $"Digests on {string.Join(", ", subscriber.Topics)} will go to {subscriber.Email}. Every digest has a link to change or stop them.");
    }

    public static async Task<Results<Ok<SubscriptionView>, ProblemHttpResult>> ManageAsync(string? token, NotificationsDbContext db, SubscriptionLinks links, CancellationToken cancellationToken) =>
        await FindAsync(links.ReadManage(token), db, cancellationToken) is { } s ? TypedResults.Ok(View(s)) : BadLink();

    public static async Task<Results<Ok<SubscriptionView>, ValidationProblem, ProblemHttpResult>> ChangeTopicsAsync(
        string? token, ChangeTopicsRequest request, NotificationsDbContext db, SubscriptionLinks links, CancellationToken cancellationToken)
    {
        var subscriber = await FindAsync(links.ReadManage(token), db, cancellationToken);
        if (subscriber is null)
            return BadLink();
        var errors = new Dictionary<string, string[]>();
        var (topics, definitions) = await TopicsAsync(request.Topics, request.CustomTopics, db, errors, cancellationToken);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        subscriber.Topics = topics;
        subscriber.TopicDefinitions = definitions;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(subscriber));
    }

    public static async Task<Results<Ok<SubscriptionView>, ProblemHttpResult>> UnsubscribeByManageLinkAsync(
        string? token, NotificationsDbContext db, SubscriptionLinks links, CancellationToken cancellationToken)
    {
        var subscriber = await FindAsync(links.ReadManage(token), db, cancellationToken);
        if (subscriber is null)
            return BadLink();
        subscriber.Active = false;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(subscriber));
    }

    /// <summary>
    /// Free-text topics, arXiv categories (written as the taxonomy writes them) and the caller's own
    /// topics, validated; counts are checked before anything else, and one query looks up every
    /// example paper id.
    /// </summary>
    private static async Task<(List<string> Topics, List<SubscriberTopic> Definitions)> TopicsAsync(
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
        if (topics.Count == 0)
            errors["topics"] = ["Give at least one topic."];
        else if (topics.FirstOrDefault(t => t.Length > MaxTopicLength) is { } tooLong)
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

    private static async Task<Subscriber?> FindAsync((Guid Id, string Email)? link, NotificationsDbContext db, CancellationToken cancellationToken) =>
        link is { } l ? await db.Subscribers.FirstOrDefaultAsync(s => s.Id == l.Id && s.Email == l.Email, cancellationToken) : null;

    private static SubscriptionView View(Subscriber s) => new(s.Email, s.Active ? "active" : s.ConfirmedAt is null ? "pending" : "unsubscribed", s.Topics,
        [.. s.TopicDefinitions.Select(d => new CustomTopicDto(d.Name, d.Description, d.Examples))]);

    private static ProblemHttpResult BadLink() => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "This link does not work",
        detail: "The manage link is forged, expired or cut short; every digest carries a fresh one.");

    private static ContentHttpResult Page(int status, string title, string text, string extra = "") => TypedResults.Content(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head><body><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(text)}</p>{extra}</body></html>",
        "text/html; charset=utf-8", statusCode: status);

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> UnsubscribeAsync(string? token, NotificationsDbContext db, CancellationToken cancellationToken)
    {
        var subscriber = string.IsNullOrEmpty(token) || token.Length > 64 ? null : await db.Subscribers.FirstOrDefaultAsync(s => s.UnsubscribeToken == token, cancellationToken);
        if (subscriber is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown unsubscribe link",
                detail: "This link does not belong to any subscription; it may have been mistyped.");
        subscriber.Active = false;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Content("<!doctype html><p>You are unsubscribed. No more digests will be sent to this address.</p>", "text/html; charset=utf-8");
    }

    /// <summary>Runs the digests now; 409 while another run (scheduled, or asked for on any replica) holds the lease.</summary>
    public static async Task<Results<Ok<DigestRunSummary>, ProblemHttpResult>> RunDigestsAsync(DigestRunner runner, CancellationToken cancellationToken)
    {
        var run = await runner.RunAsync(occurrence: null, cancellationToken);
        return run.Outcome == LeaseOutcome.Ran
            ? TypedResults.Ok(run.Value!)
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A digest run is in progress",
                detail: "Another digest run (the scheduled one, or one asked for on another replica) is sending digests now; each subscriber gets one digest per run. Ask again once it has finished.");
    }
}
