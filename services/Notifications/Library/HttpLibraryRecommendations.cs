using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapr.Client;

namespace Papers.Notifications.Library;

/// <summary>
/// The Api's internal <c>/internal/accounts/{id}/…</c> endpoints, called with Notifications' own API
/// key (scope <c>library</c>, <c>Services:ApiKey</c>): through the Dapr sidecar when one exists
/// (<c>DAPR_HTTP_PORT</c>; app id <c>api</c>), else at <c>Services:Api</c>, as the other internal
/// calls go (Enrichment's <c>/embed</c>).
/// </summary>
public sealed class HttpLibraryRecommendations(HttpClient http) : ILibraryRecommendations
{
    public Task<IReadOnlyList<LibraryPick>?> RecommendAsync(Guid account, Guid? collection, int limit, CancellationToken cancellationToken) =>
        GetAsync<IReadOnlyList<LibraryPick>>($"internal/accounts/{account}/for-you?limit={limit}{(collection is { } c ? $"&collection={c}" : "")}", cancellationToken);

    public Task<IReadOnlyList<LibraryCollection>?> CollectionsAsync(Guid account, CancellationToken cancellationToken) =>
        GetAsync<IReadOnlyList<LibraryCollection>>($"internal/accounts/{account}/collections", cancellationToken);

    private async Task<T?> GetAsync<T>(string path, CancellationToken cancellationToken) where T : class
    {
        using var response = await http.GetAsync(path, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        // 401/403: the key is missing, wrong or lacks the scope; an operator must fix it, and the run says so.
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<T>(cancellationToken) ?? throw new HttpRequestException($"The Api answered {path} with an empty body.");
    }
}

public static class LibraryClientExtensions
{
    /// <summary>The Api's library for "for you" digests, over internal HTTP (the Notifications service's own host).</summary>
    public static IHostApplicationBuilder AddApiLibraryClient(this IHostApplicationBuilder builder)
    {
        var key = builder.Configuration["Services:ApiKey"];
        void Authorize(HttpClient client)
        {
            if (!string.IsNullOrEmpty(key))
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (!string.IsNullOrEmpty(builder.Configuration["DAPR_HTTP_PORT"]))
        {
            builder.Services.AddSingleton<ILibraryRecommendations>(_ =>
            {
                var client = DaprClient.CreateInvokeHttpClient("api");
                Authorize(client);
                return new HttpLibraryRecommendations(client);
            });
            return builder;
        }
        var baseUrl = builder.Configuration["Services:Api"] ?? "http://localhost:8080";
        builder.Services.AddHttpClient<ILibraryRecommendations, HttpLibraryRecommendations>(c =>
        {
            c.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/");
            Authorize(c);
        });
        return builder;
    }
}
