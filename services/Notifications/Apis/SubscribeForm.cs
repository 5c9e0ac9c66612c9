using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Papers.Notifications.Data;
using Papers.Notifications.Library;
using Papers.Notifications.Mail;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Apis;

/// <summary>
/// The web pages' subscribe form, which works without script: the same <c>POST /api/subscriptions</c>
/// sent form-encoded (<c>email</c>, <c>topics</c> comma-separated) and chosen by its content type, with
/// the same rules and the same answer for every address; the browser is then sent (303) to the
/// <c>/subscribe</c> page, which says "check your inbox" or what to fix. In a cluster the pages and
/// this service answer under one host, so the relative link lands on the Api's page.
/// </summary>
public static class SubscribeForm
{
    public static IEndpointRouteBuilder MapSubscribeForm(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/subscriptions", SubscribeAsync).WithName("SubscribeForm")
            .Accepts<IFormCollection>("application/x-www-form-urlencoded", "multipart/form-data")
            // A request without a content type matches both this and the JSON endpoint: the JSON one answers it.
            .WithOrder(1)
            .ExcludeFromDescription()
            .RateLimited(RequestClass.Write, RateAction.Subscribe);
        return app;
    }

    public static async Task<IResult> SubscribeAsync(HttpContext http, NotificationsDbContext db, IMailSender sender, SubscriptionLinks links,
        IOptions<MailOptions> mail, ILibraryRecommendations library, TimeProvider clock, ILogger<SubscribeRequest> logger, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException and not BadHttpRequestException)
        {
            // A multipart body that cannot be read (malformed, or cut short): as a form that said nothing.
            return SeeOther("/subscribe?error=email");
        }
        var email = form["email"].ToString().Trim();
        var typed = form["topics"].ToString();
        var topics = typed.Split([',', ';', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var result = await SubscriptionsApi.SubscribeAsync(new SubscribeRequest(email, topics), db, sender, links, mail, library, clock, logger, cancellationToken);
        if (result.Result is ValidationProblem problem)
        {
            var field = problem.ProblemDetails.Errors.Keys.Any(k => k.StartsWith("email", StringComparison.OrdinalIgnoreCase)) ? "email" : "topics";
            return SeeOther($"/subscribe?error={field}&email={Uri.EscapeDataString(Bounded(email))}&topics={Uri.EscapeDataString(Bounded(typed))}");
        }
        return SeeOther("/subscribe?sent=1");
    }

    private static string Bounded(string text) => text.Length > 500 ? text[..500] : text;

    private static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            http.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
