using System.Net.Mail;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;

namespace Papers.Notifications.Apis;

public record SubscribeRequest(string? Email, IReadOnlyList<string>? Topics);

public record SubscriptionDto(Guid Id, string Email, IReadOnlyList<string> Topics, string UnsubscribeUrl);

/// <summary>Subscribe by e-mail to topics, unsubscribe from a link without logging in, run digests on request.</summary>
public static class SubscriptionsApi
{
    public const int MaxTopics = 20, MaxTopicLength = 100;

    public static IEndpointRouteBuilder MapSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/subscriptions").WithTags("Subscriptions");
        group.MapPost("/", SubscribeAsync).WithName("Subscribe")
            .WithSummary("Follow topics by e-mail: free text (\"quantization\") or arXiv categories (\"cs.CL\"). Subscribing again replaces the topics.");
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
        var topics = (request.Topics ?? []).Select(t => t?.Trim() ?? "").Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
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
        subscriber.Active = true;
        await db.SaveChangesAsync(cancellationToken);

        var dto = new SubscriptionDto(subscriber.Id, subscriber.Email, subscriber.Topics,
            $"{http.Request.Scheme}://{http.Request.Host}/api/subscriptions/unsubscribe?token={subscriber.UnsubscribeToken}");
        return created ? TypedResults.Created($"/api/subscriptions/{subscriber.Id}", dto) : TypedResults.Ok(dto);
    }

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
