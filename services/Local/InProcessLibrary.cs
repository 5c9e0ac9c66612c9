using Papers.Api.Accounts;
using Papers.Notifications.Library;

namespace Papers.Local;

/// <summary>
/// "For you" digests in the all-in-one host: Notifications reads the Api's library in this process,
/// with no HTTP and no key (the Api's internal endpoint still needs one, so it stays closed on the public port).
/// </summary>
public sealed class InProcessLibrary(IServiceScopeFactory scopes) : ILibraryRecommendations
{
    public async Task<IReadOnlyList<LibraryPick>?> RecommendAsync(Guid account, Guid? collection, int limit, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var items = await scope.ServiceProvider.GetRequiredService<AccountLibrary>().RecommendAsync(account, collection, limit, cancellationToken);
        return items?.Select(i => new LibraryPick(i.PaperId, i.Title, i.Score, [.. i.Resembles.Select(r => new LibraryReason(r.PaperId, r.Title))])).ToList();
    }

    public async Task<IReadOnlyList<LibraryCollection>?> CollectionsAsync(Guid account, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var collections = await scope.ServiceProvider.GetRequiredService<AccountLibrary>().CollectionsAsync(account, cancellationToken);
        return collections?.Select(c => new LibraryCollection(c.Id, c.Name)).ToList();
    }
}
