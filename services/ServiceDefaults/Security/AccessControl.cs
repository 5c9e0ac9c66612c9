using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Papers.ServiceDefaults.Data;

namespace Papers.ServiceDefaults.Security;

/// <summary>Section <c>PublicSite</c>: where the public reaches the platform.</summary>
public sealed class PublicSiteOptions
{
    public const string Section = "PublicSite";

    /// <summary>Base of every link the platform writes (e-mails, pages); never taken from a request's Host header.</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:8080";

    public string Link(string pathAndQuery) => BaseUrl.TrimEnd('/') + "/" + pathAndQuery.TrimStart('/');
}

/// <summary>
/// Every public request is hostile until proven otherwise: identities (API keys, signed visitor
/// cookies), authorization policies, rate limits, body limits, forwarded headers from trusted
/// proxies only, security headers and problem details for malformed requests — the same for
/// every service host, configured here once.
/// </summary>
public static class AccessControlExtensions
{
    /// <summary>Request bodies larger than this are refused (413) unless an endpoint says otherwise.</summary>
    public const long DefaultMaxBodyBytes = 64 * 1024;

    public static IHostApplicationBuilder AddAccessControl(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddServiceDbContext<AccessDbContext>("Identity", sharedConnectionString: false);
        services.AddDataProtection().SetApplicationName("papers").PersistKeysToDbContext<AccessDbContext>();
        services.AddMemoryCache();
        services.AddSingleton<ApiKeyStore>();
        services.AddOptions<PublicSiteOptions>().BindConfiguration(PublicSiteOptions.Section);

        services.AddAuthentication(AuthenticationSchemes.Default)
            .AddPolicyScheme(AuthenticationSchemes.Default, "API key or visitor cookie", o =>
            {
                o.ForwardDefaultSelector = http => http.Request.Headers.ContainsKey("Authorization") ? AuthenticationSchemes.ApiKey : AuthenticationSchemes.Visitor;
                // Challenges and refusals answer as an API does (problem details), never with a redirect.
                o.ForwardChallenge = AuthenticationSchemes.ApiKey;
                o.ForwardForbid = AuthenticationSchemes.ApiKey;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthenticationSchemes.ApiKey, null)
            .AddCookie(AuthenticationSchemes.Visitor, o =>
            {
                o.Cookie.Name = Visitors.CookieName;
                o.Cookie.HttpOnly = true;
                // Lax, not Strict: a visitor arriving by a link from another site (a digest e-mail, a
                // search engine, an OpenID Connect provider's page sending them back after sign-in)
                // must arrive as themselves. Under Strict the browser left the cookie off that first
                // request, the page took them for a newcomer and its fresh visitor cookie replaced theirs:
                // sign-in through a provider's own login page ended signed out (seen in a real browser).
                // Lax still keeps the cookie off cross-site POSTs, iframes and fetches; every write also
                // needs the antiforgery token, and no GET changes state.
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromDays(365);
                o.SlidingExpiration = true;
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireClaim(Scopes.ClaimType, Scopes.Admin))
            .AddPolicy(Policies.Vote, p => p.RequireClaim(Scopes.ClaimType, Scopes.Vote, Scopes.Admin))
            .AddPolicy(Policies.Submit, p => p.RequireClaim(Scopes.ClaimType, Scopes.Submit, Scopes.Admin))
            .AddPolicy(Policies.Account, p => p.RequireClaim(Caller.AccountClaim))
            .AddPolicy(Policies.Library, p => p.RequireClaim(Scopes.ClaimType, Scopes.Library));
        services.AddAntiforgery(o =>
        {
            o.HeaderName = Visitors.AntiforgeryHeader;
            o.Cookie.Name = "papers.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(o => o.Window > TimeSpan.Zero, "RateLimits:Window must be a positive time span such as 00:01:00.").ValidateOnStart();
        services.AddSingleton<RateLimiters>();
        services.Configure<ForwardedHeadersOptions>(o => ConfigureForwardedHeaders(o, builder.Configuration));
        // Malformed requests (unreadable JSON, a query value of the wrong type, a body too large)
        // become problem details naming what was wrong, not empty 400s or 500s.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        return builder;
    }

    /// <summary>The request pipeline of <see cref="AddAccessControl"/>, in the order it must run.</summary>
    public static WebApplication UseAccessControl(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseAuthentication();
        // Limits first: a request with a wrong key counts as anonymous from its address, and its 401 carries the RateLimit headers too.
        app.UseMiddleware<RateLimitMiddleware>();
        app.Use(RefuseBadCredentialsAsync);
        app.Use(LimitBodySize);
        app.Use(RefuseUnknownCharset);
        app.UseAuthorization();
        return app;
    }

    /// <summary>Sets an endpoint's request body limit (the default is <see cref="DefaultMaxBodyBytes"/>).</summary>
    public static TBuilder MaxBodySize<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodySizeLimit(bytes));

    private sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

    /// <summary>Credentials that were sent but are wrong get 401, whatever the endpoint: never a silent downgrade to anonymous.</summary>
    private static async Task RefuseBadCredentialsAsync(HttpContext http, RequestDelegate next)
    {
        if (http.Request.Headers.ContainsKey("Authorization") && http.User.Identity?.IsAuthenticated != true)
        {
            var result = await http.AuthenticateAsync(AuthenticationSchemes.ApiKey);
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await Problems.WriteAsync(http, StatusCodes.Status401Unauthorized, "Invalid credentials",
                result.Failure?.Message ?? "The Authorization header could not be used.");
            return;
        }
        await next(http);
    }

    private static Task LimitBodySize(HttpContext http, RequestDelegate next)
    {
        var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? DefaultMaxBodyBytes;
        return next(http);
    }

    /// <summary>
    /// A body in a charset .NET doesn't know is refused (415) here: the JSON reader of minimal APIs
    /// would throw an InvalidOperationException for it, which is no bad-request exception (a 500).
    /// </summary>
    private static Task RefuseUnknownCharset(HttpContext http, RequestDelegate next)
    {
        if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) && Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(type.Charset) is { Length: > 0 } charset)
        {
            try
            {
                _ = System.Text.Encoding.GetEncoding(charset.ToString());
            }
            catch (ArgumentException)
            {
                return Problems.WriteAsync(http, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                    $"The charset '{Problems.Echo(charset.ToString())}' is not one this API reads; send UTF-8.");
            }
        }
        return next(http);
    }

    /// <summary>
    /// <c>X-Forwarded-For</c>/<c>-Proto</c> are believed only from the proxies configured under
    /// <c>ForwardedHeaders:KnownNetworks</c> (CIDRs) and <c>ForwardedHeaders:KnownProxies</c>
    /// (addresses), at most <c>ForwardedHeaders:ForwardLimit</c> hops; none by default.
    /// </summary>
    private static void ConfigureForwardedHeaders(ForwardedHeadersOptions o, IConfiguration configuration)
    {
        var section = configuration.GetSection("ForwardedHeaders");
        o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        o.KnownIPNetworks.Clear();
        o.KnownProxies.Clear();
        foreach (var cidr in section.GetSection("KnownNetworks").Get<string[]>() ?? [])
            o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(cidr));
        foreach (var address in section.GetSection("KnownProxies").Get<string[]>() ?? [])
            o.KnownProxies.Add(IPAddress.Parse(address));
        o.ForwardLimit = section.GetValue<int?>("ForwardLimit") ?? 1;
    }

    /// <summary>Turns what ASP.NET Core rejects while reading a request into problem details with its own status (400, 413, 415).</summary>
    private sealed class BadRequestExceptionHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad)
                return false;
            var title = bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "Request body too large",
                StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                _ => "Malformed request",
            };
            await Problems.WriteAsync(http, bad.StatusCode, title, Problems.Echo(bad.Message));
            return true;
        }
    }
}

/// <summary>
/// <c>nosniff</c> on everything; on every response a CSP without inline script, no framing, and
/// no referrer to other sites. The web page loads its script and styles from files.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

    public Task InvokeAsync(HttpContext http)
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = http.GetEndpoint()?.Metadata.GetMetadata<ContentSecurityPolicy>()?.For(http) ?? Policy;
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(http);
    }
}

/// <summary>
/// Endpoint metadata: a Content-Security-Policy other than the default for this endpoint. Only for
/// pages that render no user content and need more (the API reference's third-party viewer): inline
/// styles, and inline script only with the per-request nonce the endpoint put in
/// <c>HttpContext.Items[<paramref name="NonceItem"/>]</c>.
/// </summary>
public sealed record ContentSecurityPolicy(bool InlineStyles, string? NonceItem = null)
{
    public string For(HttpContext http)
    {
        var policy = SecurityHeadersMiddleware.Policy;
        if (InlineStyles)
            policy = policy.Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal);
        if (NonceItem is not null && http.Items[NonceItem] is string { Length: > 0 } nonce)
            policy = policy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal);
        return policy;
    }
}
