using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Papers.ServiceDefaults.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer pk_…</c> against the identity database. A header that is
/// present but wrong fails authentication, and <see cref="AccessControlExtensions"/> answers such a
/// request 401 whatever the endpoint: a broken key never silently downgrades to anonymous.
/// Challenges and refusals answer with problem details (no redirects: this is an API).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue("Authorization", out var header))
            return AuthenticateResult.NoResult();
        var value = header.ToString();
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <API key>'.");
        var key = await keys.FindValidAsync(value["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (key is null)
            return AuthenticateResult.Fail("The API key is not valid: unknown, revoked or mistyped.");

        List<Claim> claims =
        [
            new(Caller.IdClaim, "k-" + key.Id),
            new(ClaimTypes.Name, key.Name),
            new(Caller.QuotaClaim, key.RequestsPerMinute.ToString(CultureInfo.InvariantCulture)),
            .. key.Scopes.Select(s => new Claim(Scopes.ClaimType, s)),
        ];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationSchemes.ApiKey));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, AuthenticationSchemes.ApiKey));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required",
            "Send an API key (Authorization: Bearer pk_…), or use the web page, which gives your browser a signed visitor cookie.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Not allowed",
            "Your credentials do not carry the scope this endpoint needs.");
}
