using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Papers.Api.Data;
using Papers.Contracts;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Accounts;

/// <summary>Section <c>Accounts:Oidc</c>: the operator's OpenID Connect provider; sign-in is off until <see cref="Authority"/> is set.</summary>
public sealed class OidcOptions
{
    public const string Section = "Accounts:Oidc";

    /// <summary>The provider's issuer URL (its <c>/.well-known/openid-configuration</c> is read from there).</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>Where the provider sends the browser back to (the redirect URI registered there is the public site's URL and this path).</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";

    /// <summary>Whether the provider's metadata must come over HTTPS (only a test or a private install turns it off).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

/// <summary>
/// Sign-in with the operator's OpenID Connect provider (authorization code with PKCE; no passwords
/// of ours). A signed-in person is a visitor whose cookie also names the account: the cookie's
/// HttpOnly, SameSite Lax and antiforgery rules stay as they are, and the account acts under
/// one pseudonymous voter id on every device.
/// </summary>
public static class SignIn
{
    public const string Scheme = "oidc";
    private const string VisitorItem = "papers.visitor";

    public static IHostApplicationBuilder AddAccountSignIn(this IHostApplicationBuilder builder)
    {
        var oidc = builder.Configuration.GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();
        builder.Services.AddOptions<OidcOptions>().BindConfiguration(OidcOptions.Section);
        builder.Services.AddScoped<AccountSignIn>();
        if (!oidc.Enabled)
            return builder;
        builder.Services.AddAuthentication().AddOpenIdConnect(Scheme, o =>
        {
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = oidc.ClientSecret;
            o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            o.CallbackPath = oidc.CallbackPath;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.Scope.Clear();
            foreach (var scope in new[] { "openid", "email", "profile" })
                o.Scope.Add(scope);
            o.MapInboundClaims = false; // keep "sub", "email", "email_verified" as the provider names them
            o.SaveTokens = false; // nothing of the provider's is kept in our cookie
            o.SignInScheme = AuthenticationSchemes.Visitor;
            // Over HTTPS (the public site) these cookies are Secure; over plain HTTP (tests, a private install) they still work.
            // The callback is a top-level GET (response_mode=query), so SameSite Lax brings them back with it. The
            // framework's default, None, needs Secure: over plain HTTP Chromium drops such a cookie and every
            // sign-in ended in "Correlation failed" (seen in the browser test).
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            // A callback that fails (forged or stale state, a refused code) is the caller's problem: 400, not 500.
            o.Events.OnRemoteFailure = async context =>
            {
                context.HandleResponse();
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status400BadRequest, "Sign-in failed", Problems.Echo(context.Failure?.Message));
            };
            o.Events.OnTokenValidated = async context =>
            {
                var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountSignIn>();
                context.Principal = await accounts.SignInAsync(context.Principal!, context.Properties?.Items.TryGetValue(VisitorItem, out var visitor) == true ? visitor : null, context.HttpContext.RequestAborted);
            };
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapAccountSignIn(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/account").WithTags("Account");
        group.MapGet("/signin", Challenge).WithName("SignIn").RateLimited(RequestClass.Write)
            .WithSummary("Starts sign-in with the configured OpenID Connect provider; returns to returnUrl (a local path).");
        group.MapPost("/signout", (Delegate)SignOutAsync).WithName("SignOut").RateLimited(RequestClass.Write).Produces(StatusCodes.Status204NoContent)
            .RequireAuthorization(Policies.Account).RequireAntiforgeryForVisitors()
            .WithSummary("Signs out (the cookie is dropped; the account stays).");
        return app;
    }

    private static Results<ChallengeHttpResult, ProblemHttpResult> Challenge(HttpContext http, Microsoft.Extensions.Options.IOptions<OidcOptions> options, string? returnUrl = null)
    {
        if (!options.Value.Enabled)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Sign-in is not configured",
                detail: "This installation has no OpenID Connect provider (Accounts:Oidc:Authority).");
        var target = returnUrl is { Length: > 0 } && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            ? returnUrl : "/";
        var properties = new AuthenticationProperties { RedirectUri = target, IsPersistent = true };
        // The visitor's id travels in the protected state: the callback comes cross-site from the
        // provider, and does not rest on which of our cookies a browser sends with it.
        if (Caller.Of(http) is { Kind: CallerKind.Visitor, AccountId: null, Id: { } visitor })
            properties.Items[VisitorItem] = visitor;
        return TypedResults.Challenge(properties, [Scheme]);
    }

    /// <summary>From a script: 204. From the sign-out page's form: back to the daily list (303).</summary>
    private static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(AuthenticationSchemes.Visitor);
        return http.Request.HasFormContentType ? Web.WebContext.SeeOther("/") : TypedResults.NoContent();
    }
}

/// <summary>What signing in does to our data: find or make the account, and fold the visitor's votes into it.</summary>
public sealed class AccountSignIn(ApiDbContext db, TimeProvider clock, ILogger<AccountSignIn> logger)
{
    public async Task<ClaimsPrincipal> SignInAsync(ClaimsPrincipal provider, string? visitorId, CancellationToken cancellationToken)
    {
        var subject = provider.FindFirst("sub") ?? throw new InvalidOperationException("The provider's ID token has no 'sub'.");
        var issuer = subject.Issuer;
        var email = provider.FindFirstValue("email");
        var verified = string.Equals(provider.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase);
        var now = clock.GetUtcNow().UtcDateTime;
        var account = await db.Accounts.SingleOrDefaultAsync(a => a.Issuer == issuer && a.Subject == subject.Value, cancellationToken);
        if (account is null)
        {
            account = new Account
            {
                Id = Guid.NewGuid(),
                Issuer = issuer,
                Subject = subject.Value,
                VoterId = visitorId ?? "v-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)),
                CreatedAt = now,
            };
            db.Accounts.Add(account);
        }
        var before = account.EmailVerified ? account.Email : null;
        account.Email = email;
        account.EmailVerified = verified && email is not null;
        account.LastSignedInAt = now;
        // Notifications links the account to the subscription of this address only when the provider
        // vouches for it; told at every such sign-in (an event lost before this code shipped heals),
        // and when the vouched-for address goes.
        var vouched = account.EmailVerified ? email : null;
        if (vouched is not null || before is not null)
            db.AddToOutbox(new AccountEmailChanged(account.Id, vouched, clock.GetUtcNow()), clock);
        await db.SaveChangesAsync(cancellationToken);
        if (visitorId is not null && visitorId != account.VoterId)
            await MergeVotesAsync(visitorId, account.VoterId, cancellationToken);
        logger.LogInformation("Account {Account} signed in", account.Id);
        return new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(Caller.IdClaim, account.VoterId),
                new Claim(Caller.AccountClaim, account.Id.ToString()),
                new Claim(Scopes.ClaimType, Scopes.Vote),
                new Claim(Scopes.ClaimType, Scopes.Submit),
            ], AuthenticationSchemes.Visitor));
    }

    /// <summary>
    /// The votes this browser cast before signing in become the account's; a paper both had voted
    /// for keeps one vote (the count goes down by one, and <see cref="PaperUpvoteWithdrawn"/> of the
    /// browser's vote goes out through the outbox, as when a vote is taken back, so counts kept
    /// downstream follow), so signing in never counts a vote twice.
    /// </summary>
    private async Task MergeVotesAsync(string visitorId, string voterId, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = clock.GetUtcNow();
            var duplicates = await db.Votes.Where(v => v.VoterId == visitorId && db.Votes.Any(a => a.VoterId == voterId && a.PaperId == v.PaperId))
                .Select(v => v.PaperId).ToListAsync(cancellationToken);
            foreach (var paper in duplicates)
            {
                // Deleting the browser's row is the guard: of two concurrent sign-ins only one folds it.
                if (await db.Votes.Where(v => v.VoterId == visitorId && v.PaperId == paper).ExecuteDeleteAsync(cancellationToken) == 0)
                    continue;
                await db.Papers.Where(p => p.PaperId == paper)
                    .ExecuteUpdateAsync(u => u.SetProperty(p => p.LocalUpvotes, p => p.LocalUpvotes - 1).SetProperty(p => p.UpdatedAt, now.UtcDateTime), cancellationToken);
                var upvotes = await db.Papers.Where(p => p.PaperId == paper).Select(p => p.SourceUpvotes + p.LocalUpvotes).SingleAsync(cancellationToken);
                db.AddToOutbox(new PaperUpvoteWithdrawn(paper, visitorId, upvotes, now), clock);
            }
            await db.SaveChangesAsync(cancellationToken);
            await db.Votes.Where(v => v.VoterId == visitorId).ExecuteUpdateAsync(u => u.SetProperty(v => v.VoterId, voterId), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
    }
}
