using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Api.Data;
using Papers.Api.Library;
using Papers.Api.Recommendations;
using Papers.Api.Web;
using Papers.Contracts;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Accounts;

public sealed record AccountView(Guid Id, string? Email, bool EmailVerified, DateTime CreatedAt, bool HasFeedToken);

public sealed record AccountData(AccountView Account, string Issuer, string Subject, string VoterId, IReadOnlyList<ExportedCollection> Collections, IReadOnlyList<string> Upvoted);

public sealed record FeedToken(string Token, string Rss, string Atom);

/// <summary>
/// The account page's API: who I am, my data (download), delete me (GDPR-style: the account, its
/// library and the link to its pseudonymous voter id go; votes stay, tied to no one), "for you",
/// and the private feed token of "for you" as RSS/Atom (a new token revokes the old one).
/// </summary>
public static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/api/account").WithTags("Account")
            .RequireAuthorization(Policies.Account).RequireAntiforgeryForVisitors();
        account.MapGet("/", GetAsync).WithName("GetAccount").RateLimited(RequestClass.Read).WithSummary("Your account.");
        account.MapGet("/export", ExportAsync).WithName("ExportAccount").RateLimited(RequestClass.Write).WithSummary("Everything we keep about you, as JSON.");
        account.MapDelete("/", DeleteAsync).WithName("DeleteAccount").RateLimited(RequestClass.Write)
            .WithSummary("Delete your account and library, and the link from you to your votes; signs you out.");
        account.MapPost("/feed-token", IssueFeedTokenAsync).WithName("IssueFeedToken").RateLimited(RequestClass.Write)
            .WithSummary("A new private token for the \"for you\" feed (the previous one stops working).");
        account.MapDelete("/feed-token", RevokeFeedTokenAsync).WithName("RevokeFeedToken").RateLimited(RequestClass.Write)
            .WithSummary("Revoke the feed token.");
        app.MapGet("/api/library/recommendations", RecommendAsync).WithTags("Library").WithName("ForYou")
            .RequireAuthorization(Policies.Account).RateLimited(RequestClass.Search)
            .WithSummary($"\"For you\": recent papers (last {ForYou.CandidateDays} listing days) like those of your library (collection=<id>: of one collection), each with the saved papers it resembles.");
        app.MapGet("/api/library/feed", FeedAsync).WithTags("Library").WithName("ForYouFeed").RateLimited(RequestClass.Search)
            .WithSummary("\"For you\" as RSS (format=rss) or Atom (format=atom), for the private token of POST /api/account/feed-token.");
        return app;
    }

    private static Guid Me(HttpContext http) => LibraryApi.AccountOf(http);

    internal static AccountView View(Account a) => new(a.Id, a.Email, a.EmailVerified, a.CreatedAt, a.FeedTokenHash is not null);

    internal static async Task<Results<Ok<AccountView>, ProblemHttpResult>> GetAsync(HttpContext http, ApiDbContext db, CancellationToken cancellationToken) =>
        await db.Accounts.FindAsync([Me(http)], cancellationToken) is { } a ? TypedResults.Ok(View(a)) : Gone();

    private static async Task<Results<Ok<AccountData>, ProblemHttpResult>> ExportAsync(HttpContext http, ApiDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Accounts.FindAsync([Me(http)], cancellationToken) is not { } a)
            return Gone();
        var collections = new List<ExportedCollection>();
        foreach (var id in await db.Collections.Where(c => c.AccountId == a.Id).OrderBy(c => c.CreatedAt).Select(c => c.Id).ToListAsync(cancellationToken))
            if (await LibraryTransfer.ExportAsync(id, http, db, "json", cancellationToken) is { Result: Ok<ExportedCollection> { Value: { } collection } })
                collections.Add(collection);
        var upvoted = await db.Votes.Where(v => v.VoterId == a.VoterId).OrderBy(v => v.PaperId).Select(v => v.PaperId).ToListAsync(cancellationToken);
        return TypedResults.Ok(new AccountData(View(a), a.Issuer, a.Subject, a.VoterId, collections, upvoted));
    }

    internal static async Task<NoContent> DeleteAsync(HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var me = Me(http);
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SavedPapers.Where(s => db.Collections.Any(c => c.Id == s.CollectionId && c.AccountId == me)).ExecuteDeleteAsync(cancellationToken);
            await db.Collections.Where(c => c.AccountId == me).ExecuteDeleteAsync(cancellationToken);
            await db.Accounts.Where(a => a.Id == me).ExecuteDeleteAsync(cancellationToken);
            // Notifications unties the account from its subscription (README, "Accounts").
            db.AddToOutbox(new AccountDeleted(me, clock.GetUtcNow()), clock);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        await http.SignOutAsync(AuthenticationSchemes.Visitor);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<FeedToken>, ProblemHttpResult>> IssueFeedTokenAsync(HttpContext http, ApiDbContext db, IOptions<PublicSiteOptions> site, CancellationToken cancellationToken)
    {
        var token = "ft_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        if (await db.Accounts.Where(a => a.Id == Me(http)).ExecuteUpdateAsync(u => u.SetProperty(a => a.FeedTokenHash, Hash(token)), cancellationToken) == 0)
            return Gone();
        return TypedResults.Ok(new FeedToken(token, site.Value.Link($"/api/library/feed?format=rss&token={token}"), site.Value.Link($"/api/library/feed?format=atom&token={token}")));
    }

    // A browser still holding the cookie of a deleted account hears that the account is gone, as on
    // issuing: a 204 would tell it a token was revoked when there was none to revoke.
    internal static async Task<Results<NoContent, ProblemHttpResult>> RevokeFeedTokenAsync(HttpContext http, ApiDbContext db, CancellationToken cancellationToken) =>
        await db.Accounts.Where(a => a.Id == Me(http)).ExecuteUpdateAsync(u => u.SetProperty(a => a.FeedTokenHash, (string?)null), cancellationToken) == 0
            ? Gone()
            : TypedResults.NoContent();

    private static async Task<Results<Ok<IReadOnlyList<ForYouItem>>, ProblemHttpResult>> RecommendAsync(HttpContext http, ApiDbContext db, ForYou forYou, Guid? collection, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 100)
            return LibraryApi.Invalid("limit", $"limit is 1 to 100, not {limit}.");
        if (collection is { } id && await LibraryApi.OwnAsync(db, http, id, cancellationToken) is null)
            return LibraryApi.CollectionNotFound(id);
        return TypedResults.Ok(await forYou.RecommendAsync(Me(http), collection, limit ?? 20, cancellationToken));
    }

    private static async Task<IResult> FeedAsync(HttpContext http, ApiDbContext db, ForYou forYou, IOptions<PublicSiteOptions> site, string? token, string? format, CancellationToken cancellationToken)
    {
        if (!Feeds.TryParse(format ?? "atom", out var feedFormat))
            return LibraryApi.Invalid("format", $"format is 'rss' or 'atom', not '{Problems.Echo(format)}'.");
        var hash = token is { Length: > 0 and <= 100 } ? Hash(token) : null;
        var account = hash is null ? null : await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.FeedTokenHash == hash, cancellationToken);
        if (account is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unknown feed token", detail: "The token is wrong or was revoked; issue a new one on your account page.");
        var items = await forYou.RecommendAsync(account.Id, null, Feeds.MaxItems, cancellationToken);
        var self = site.Value.Link($"/api/library/feed?format={feedFormat.ToString().ToLowerInvariant()}");
        var feed = new Feed("Papers: for you", "Recent papers like the ones you saved", site.Value.Link("/"), self,
            items.Select(i =>
            {
                var url = site.Value.Link(Format.PaperUrl(i.PaperId));
                var at = new DateTimeOffset(i.ListedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                return new FeedItem(url, i.Title, url, "Like: " + string.Join("; ", i.Resembles.Select(r => r.Title)), [], at, at, []);
            }).ToList());
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Bytes(Feeds.Write(feed, feedFormat), feedFormat == FeedFormat.Rss ? "application/rss+xml; charset=utf-8" : "application/atom+xml; charset=utf-8");
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static ProblemHttpResult Gone() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Account not found", detail: "This account was deleted; sign in again to make a new one.");
}
