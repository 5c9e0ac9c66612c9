using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Papers.Api.Tests;

/// <summary>
/// A real OpenID Connect provider (OpenIddict's server) on Kestrel on 127.0.0.1: discovery, JWKS,
/// the authorization endpoint and the token endpoint (authorization code + PKCE), for one client
/// (<see cref="ClientId"/>/<see cref="ClientSecret"/>, redirect URI <c>http://localhost/signin-oidc</c>).
/// Its "login page" signs in at once as <see cref="User"/>: whoever the test says is at the keyboard.
/// </summary>
public sealed class AccountsOidcProvider : IAsyncDisposable
{
    public const string ClientId = "papers";
    public const string ClientSecret = "papers-secret";
    /// <summary>Where the provider sends the browser back: the Api's callback as the browser reaches the Api (in memory: <c>http://localhost</c>).</summary>
    public string RedirectUri { get; set; } = "http://localhost/signin-oidc";

    private readonly WebApplication _app;

    public sealed record Person(string Subject, string Email, bool EmailVerified);

    public Person User { get; set; } = new("ada", "ada@example.org", true);

    public Uri Authority { get; private set; } = null!;

    /// <summary>The settings that point the Api at this provider.</summary>
    public Dictionary<string, string?> ApiSettings() => new()
    {
        ["Accounts:Oidc:Authority"] = Authority.ToString(),
        ["Accounts:Oidc:ClientId"] = ClientId,
        ["Accounts:Oidc:ClientSecret"] = ClientSecret,
        ["Accounts:Oidc:RequireHttpsMetadata"] = "false",
    };

    private AccountsOidcProvider()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile);
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            o.DisableAccessTokenEncryption();
            // No application store: the one client is checked by the two handlers below.
            o.EnableDegradedMode();
            o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId)
                    context.Reject(Errors.InvalidClient, "Unknown client.");
                else if (context.RedirectUri != RedirectUri)
                    context.Reject(Errors.InvalidRequest, "Unknown redirect_uri.");
                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.ClientSecret != ClientSecret)
                    context.Reject(Errors.InvalidClient, "Wrong client credentials.");
                return default;
            }));
        });
        _app = builder.Build();
        _app.MapGet("/connect/authorize", (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest()!;
            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.AddClaim(new Claim(Claims.Subject, User.Subject));
            identity.AddClaim(new Claim(Claims.Email, User.Email));
            identity.AddClaim(new Claim(Claims.EmailVerified, User.EmailVerified ? "true" : "false", ClaimValueTypes.Boolean));
            identity.SetScopes(request.GetScopes());
            identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
    }

    public static async Task<AccountsOidcProvider> StartAsync()
    {
        var provider = new AccountsOidcProvider();
        await provider._app.StartAsync();
        provider.Authority = new Uri(provider._app.Urls.Single().TrimEnd('/') + "/");
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        await _app.DisposeAsync();
    }
}
