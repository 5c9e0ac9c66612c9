using System.Net.Mail;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Domain;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;

namespace Papers.Notifications.Apis;

public record SubscribeRequest(string? Email, IReadOnlyList<string>? Topics, IReadOnlyList<CustomTopicRequest>? CustomTopics = null);

/// <summary>A topic of the subscriber's own: a name, and a description and/or example papers (ids of papers here, or "title. abstract" text).</summary>
public record CustomTopicRequest(string? Name, string? Description, IReadOnlyList<string>? Examples);

public record CustomTopicDto(string Name, string? Description, IReadOnlyList<string> Examples);

public record SubscriptionDto(Guid Id, string Email, IReadOnlyList<string> Topics, IReadOnlyList<CustomTopicDto> CustomTopics, string UnsubscribeUrl);

/// <summary>Subscribe by e-mail to topics, unsubscribe from a link without logging in, run digests on request.</summary>
public static class SubscriptionsApi
{
    public const int MaxTopics = 20, MaxTopicLength = 100, MaxDescriptionLength = 2_000, MaxExamples = 10, MaxExampleLength = 10_000;

    public static IEndpointRouteBuilder MapSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/subscriptions").WithTags("Subscriptions");
        group.MapPost("/", SubscribeAsync).WithName("Subscribe")
            .WithSummary("Follow topics by e-mail: free text (\"quantization\"), arXiv categories (\"cs.CL\"), or customTopics defined by a description and/or example papers. Subscribing again replaces the topics.");
        group.MapGet("/unsubscribe", UnsubscribeAsync).WithName("Unsubscribe").WithSummary("The link in every digest.");
        app.MapPost("/api/digests/run", RunDigestsAsync).WithTags("Subscriptions").WithName("RunDigests")
            .WithSummary("Send due digests now, outside the schedule.");
        return app;
    }

    public static async Task<Results<Created<SubscriptionDto>, Ok<SubscriptionDto>, ValidationProblem>> SubscribeAsync(
        SubscribeRequest request, NotificationsDbContext db, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var email = request.Email?.Trim();
        if (string.IsNullOrEmpty(email) || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
            errors["email"] = [$"email must be one e-mail address; got '{request.Email}'."];
        var definitions = await CustomTopicsAsync(request.CustomTopics ?? [], db, errors, cancellationToken);
        var topics = (request.Topics ?? []).Select(t => t?.Trim() ?? "").Where(t => t.Length > 0)
            .Concat(definitions.Select(d => d.Name)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (topics.Count == 0)
            errors["topics"] = ["Give at least one topic."];
        else if (topics.Count > MaxTopics)
            errors["topics"] = [$"At most {MaxTopics} topics; got {topics.Count}."];
        else if (topics.FirstOrDefault(t => t.Length > MaxTopicLength) is { } tooLong)
            errors["topics"] = [$"A topic may have at most {MaxTopicLength} characters; '{tooLong[..20]}…' has {tooLong.Length}."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var subscriber = await db.Subscribers.FirstOrDefaultAsync(s => s.Email == email, cancellationToken);
        var created = subscriber is null;
        if (subscriber is null)
        {
            subscriber = new Subscriber
            {
                Id = Guid.NewGuid(),
                Email = email!,
                UnsubscribeToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.Subscribers.Add(subscriber);
        }
        subscriber.Topics = topics;
        subscriber.TopicDefinitions = definitions;
        subscriber.Active = true;
        await db.SaveChangesAsync(cancellationToken);

        var dto = new SubscriptionDto(subscriber.Id, subscriber.Email, subscriber.Topics,
            [.. subscriber.TopicDefinitions.Select(d => new CustomTopicDto(d.Name, d.Description, d.Examples))],
            $"{http.Request.Scheme}://{http.Request.Host}/api/subscriptions/unsubscribe?token={subscriber.UnsubscribeToken}");
        return created ? TypedResults.Created($"/api/subscriptions/{subscriber.Id}", dto) : TypedResults.Ok(dto);
    }

    /// <summary>Validates the subscriber's own topics, recording problems under <c>customTopics[i]…</c>; example ids must name papers known here.</summary>
    private static async Task<List<SubscriberTopic>> CustomTopicsAsync(IReadOnlyList<CustomTopicRequest> requested, NotificationsDbContext db,
        Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var topics = new List<SubscriberTopic>();
        for (var i = 0; i < requested.Count; i++)
        {
            var field = $"customTopics[{i}]";
            var name = requested[i]?.Name?.Trim() ?? "";
            var description = string.IsNullOrWhiteSpace(requested[i]?.Description) ? null : requested[i].Description!.Trim();
            var examples = (requested[i]?.Examples ?? []).Select(e => e?.Trim() ?? "").Where(e => e.Length > 0)
                .Select(e => PaperIds.Normalize(e) ?? e).Distinct(StringComparer.Ordinal).ToList();
            if (name.Length is 0 or > MaxTopicLength)
                errors[$"{field}.name"] = [$"A custom topic needs a name of 1 to {MaxTopicLength} characters; got '{Shorten(name)}'."];
            else if (ArxivTaxonomy.IsCategory(name))
                errors[$"{field}.name"] = [$"'{name}' is an arXiv category; follow it in topics, or give the custom topic another name."];
            if (description is null && examples.Count == 0)
                errors[field] = [$"Custom topic '{Shorten(name)}' needs a description or examples (paper ids or \"title. abstract\" texts)."];
            if (description?.Length > MaxDescriptionLength)
                errors[$"{field}.description"] = [$"At most {MaxDescriptionLength} characters; got {description.Length}."];
            if (examples.Count > MaxExamples || examples.Any(e => e.Length > MaxExampleLength))
                errors[$"{field}.examples"] = [$"At most {MaxExamples} examples of at most {MaxExampleLength} characters each."];
            var ids = examples.Where(PaperIds.IsPaperId).ToList();
            var known = ids.Count == 0 ? [] : await db.Candidates.Where(c => ids.Contains(c.PaperId)).Select(c => c.PaperId).ToListAsync(cancellationToken);
            if (ids.Except(known).ToList() is [_, ..] unknown)
                errors[$"{field}.examples"] = [$"Not papers known here (yet): {string.Join(", ", unknown)}. Give their title and abstract as text instead."];
            topics.Add(new SubscriberTopic { Name = name, Description = description, Examples = examples });
        }
        if (topics.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
            errors["customTopics"] = [$"Custom topic '{twice.Key}' is defined twice."];
        return topics;
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> UnsubscribeAsync(string? token, NotificationsDbContext db, CancellationToken cancellationToken)
    {
        var subscriber = string.IsNullOrEmpty(token) ? null : await db.Subscribers.FirstOrDefaultAsync(s => s.UnsubscribeToken == token, cancellationToken);
        if (subscriber is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown unsubscribe link",
                detail: "This link does not belong to any subscription; it may have been mistyped.");
        subscriber.Active = false;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Content("<!doctype html><p>You are unsubscribed. No more digests will be sent to this address.</p>", "text/html; charset=utf-8");
    }

    public static async Task<Ok<DigestRunSummary>> RunDigestsAsync(DigestRunner runner, CancellationToken cancellationToken) =>
        TypedResults.Ok(await runner.RunAsync(cancellationToken));
}
