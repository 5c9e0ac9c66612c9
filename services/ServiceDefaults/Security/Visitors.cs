using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Papers.ServiceDefaults.Security;

/// <summary>What the web page needs to act for its visitor: the token to send in <c>X-CSRF-TOKEN</c>.</summary>
public record VisitorSession(string AntiforgeryToken, string HeaderName, bool NewVisitor);

/// <summary>
/// Anonymous web visitors: <c>GET /api/session</c> gives the browser a signed visitor cookie (a
/// random pseudonymous id, signed with the shared Data Protection key ring, HttpOnly, SameSite
/// Lax) and an antiforgery token. Votes and submissions need that cookie (or an API key); new
/// cookies are limited per client address, so fresh cookies don't multiply a client's votes.
/// </summary>
public static class Visitors
{
    public const string CookieName = "papers.visitor";
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    public static IEndpointRouteBuilder MapVisitorSession(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/session", GetSessionAsync).WithTags("Session").WithName("VisitorSession")
            .WithSummary($"Issues the visitor cookie (if absent) and the antiforgery token the page sends in {AntiforgeryHeader} with votes and submissions.")
            .RateLimited(RequestClass.Write);
        return app;
    }

    public static async Task<Results<Ok<VisitorSession>, ProblemHttpResult>> GetSessionAsync(HttpContext http, IAntiforgery antiforgery, RateLimiters limits)
    {
        var isNew = Caller.Of(http).Kind == CallerKind.Anonymous;
        if (isNew && await TrySignInAsync(http, limits) is { Granted: false } refused)
        {
            RateLimitMiddleware.WriteHeaders(http.Response, refused);
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(refused.ResetIn.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many new visitors",
                detail: "This address was given too many visitor cookies in the last hour; keep the cookie you have, or try again later.");
        }
        var tokens = antiforgery.GetAndStoreTokens(http);
        return TypedResults.Ok(new VisitorSession(tokens.RequestToken!, AntiforgeryHeader, isNew));
    }

    /// <summary>
    /// Signs an anonymous caller in as a new visitor (the signed cookie goes out with the response;
    /// <see cref="HttpContext.User"/> is the visitor from here on, so antiforgery tokens issued next
    /// are bound to it), unless this address has had its hourly share of new visitors: then the
    /// refusal, and the caller stays anonymous. Pages call it as they render, <c>GET /api/session</c> too.
    /// </summary>
    public static async Task<RateLimitDecision?> TrySignInAsync(HttpContext http, RateLimiters limits)
    {
        var caller = Caller.Of(http);
        if (caller.Kind != CallerKind.Anonymous)
            return null;
        if (limits.Enabled && limits.AcquireForAction(caller, RateAction.NewVisitor) is { Granted: false } refused)
            return refused;
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(Caller.IdClaim, "v-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))),
                new Claim(Scopes.ClaimType, Scopes.Vote),
                new Claim(Scopes.ClaimType, Scopes.Submit),
            ], AuthenticationSchemes.Visitor));
        await http.SignInAsync(AuthenticationSchemes.Visitor, principal, new AuthenticationProperties { IsPersistent = true });
        // The antiforgery token is bound to the user: issue it for the visitor just signed in.
        http.User = principal;
        return null;
    }

    /// <summary>
    /// For endpoints that change state: a caller authenticated by the visitor cookie must also send
    /// the antiforgery token (SameSite Lax, which leaves the cookie off cross-site writes, is the first guard; this is the second).
    /// </summary>
    public static TBuilder RequireAntiforgeryForVisitors<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.User.Identity?.AuthenticationType != AuthenticationSchemes.Visitor)
                return await next(context);
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(http))
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing or stale antiforgery token",
                    detail: $"Requests made with the visitor cookie must send the token from GET /api/session in the {AntiforgeryHeader} header.");
            return await next(context);
        });
}
