using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;
using Papers.Api.Library;
using Papers.Api.Recommendations;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Accounts;

/// <summary>A collection as the digest service names it on the manage page.</summary>
public sealed record CollectionName(Guid Id, string Name);

/// <summary>An account's library as a "for you" digest reads it: its collections and its "for you"; null when there is no such account (or collection of it).</summary>
public sealed class AccountLibrary(ApiDbContext db, ForYou forYou)
{
    public async Task<List<CollectionName>?> CollectionsAsync(Guid account, CancellationToken cancellationToken) =>
        await db.Accounts.AnyAsync(a => a.Id == account, cancellationToken)
            ? await db.Collections.AsNoTracking().Where(c => c.AccountId == account).OrderBy(c => c.CreatedAt).Select(c => new CollectionName(c.Id, c.Name)).ToListAsync(cancellationToken)
            : null;

    public async Task<IReadOnlyList<ForYouItem>?> RecommendAsync(Guid account, Guid? collection, int limit, CancellationToken cancellationToken)
    {
        if (!await db.Accounts.AnyAsync(a => a.Id == account, cancellationToken))
            return null;
        if (collection is { } id && !await db.Collections.AnyAsync(c => c.Id == id && c.AccountId == account, cancellationToken))
            return null;
        return await forYou.RecommendAsync(account, collection, limit, cancellationToken);
    }
}

/// <summary>
/// What Notifications reads to write a "for you" digest, over internal HTTP. Service to service:
/// only a key with the <c>library</c> scope (Notifications' own) may call it, not an admin key and
/// not an account (its own "for you" is <c>/api/library/recommendations</c>), and the chart's
/// Ingress has no route to <c>/internal</c>. An unknown account and a collection that is not the
/// account's get the same 404.
/// </summary>
public static class LibraryDigestApi
{
    public const int MaxItems = 100;

    public static IEndpointRouteBuilder MapLibraryDigestApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/accounts/{account:guid}").WithTags("Internal").RequireAuthorization(Policies.Library).ExcludeFromDescription();
        group.MapGet("/collections", CollectionsAsync).WithName("InternalCollections").RateLimited(RequestClass.Read);
        group.MapGet("/for-you", ForYouAsync).WithName("InternalForYou").RateLimited(RequestClass.Search);
        return app;
    }

    private static async Task<Results<Ok<List<CollectionName>>, ProblemHttpResult>> CollectionsAsync(Guid account, AccountLibrary library, CancellationToken cancellationToken) =>
        await library.CollectionsAsync(account, cancellationToken) is { } collections ? TypedResults.Ok(collections) : NotFound(account);

    private static async Task<Results<Ok<IReadOnlyList<ForYouItem>>, ProblemHttpResult>> ForYouAsync(Guid account, Guid? collection, int? limit, AccountLibrary library,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxItems)
            return LibraryApi.Invalid("limit", $"limit is 1 to {MaxItems}, not {limit}.");
        return await library.RecommendAsync(account, collection, limit ?? 20, cancellationToken) is { } items ? TypedResults.Ok(items) : NotFound(account);
    }

    private static ProblemHttpResult NotFound(Guid account) =>
        LibraryApi.Problem(StatusCodes.Status404NotFound, "Not found", $"No account '{account}' (it may have been deleted), or no such collection of it.");
}
