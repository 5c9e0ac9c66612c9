extern alias notifications;

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using notifications::Papers.Notifications;
using notifications::Papers.Notifications.Library;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Api.Tests.Web;

/// <summary>
/// One OpenAPI document for the public surface, also in a cluster: the Api's <c>/openapi/v1.json</c>
/// includes the subscription endpoints a separate Notifications host serves (as the chart wires them).
/// </summary>
public sealed class PublicDocumentTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("papers-notifications-").FullName;
    private WebApplication? _notifications;

    public async Task InitializeAsync()
    {
        // Notifications' own host, as services/Notifications/Program.cs composes it, on a free port.
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:DataDirectory"] = _data,
            ["Mail:PickupDirectory"] = Path.Combine(_data, "mail"),
            ["Digests:WakeEvery"] = "00:00:00",
            ["Services:Enrichment"] = "http://127.0.0.1:9",
        });
        builder.AddServiceDefaults();
        builder.AddEnrichmentClient(EmbedBudget.Batch);
        builder.AddApiLibraryClient();
        var notifications = builder.AddNotifications();
        builder.AddMessaging(notifications);
        _notifications = builder.Build();
        _notifications.MapDefaultEndpoints();
        _notifications.MapNotifications();
        await _notifications.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_notifications is not null)
            await _notifications.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); }
        catch (IOException) { /* SQLite may still hold a file */ }
    }

    private string NotificationsDocument =>
        _notifications!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/openapi/v1.json";

    [Fact]
    public async Task The_api_document_includes_the_subscription_endpoints_another_service_serves()
    {
        using var api = new ApiHost(new() { ["OpenApi:Include:0"] = NotificationsDocument });
        using var client = api.CreateClient();

        var text = await client.GetStringAsync("/openapi/v1.json");

        var document = JsonNode.Parse(text)!.AsObject();
        var paths = document["paths"]!.AsObject();
        Assert.Equal("Papers API", (string?)document["info"]!["title"]);
        foreach (var path in new[] { "/api/daily_papers", "/api/papers/{id}", "/v1/papers", "/v1/papers/batch", "/v1/search", "/api/subscriptions", "/api/subscriptions/confirm", "/api/digests/run" })
            Assert.True(paths.ContainsKey(path), $"{path} is missing");
        Assert.NotNull(paths["/api/subscriptions"]!["post"]!["requestBody"]);
        Assert.True(document["components"]!["schemas"]!.AsObject().ContainsKey("SubscribeRequest"));

        // A valid OpenAPI document, references and all, as an OpenAPI reader sees it.
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        var settings = new OpenApiReaderSettings();
        var read = await OpenApiDocument.LoadAsync(stream, "json", settings);
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.Contains("/api/subscriptions", read.Document!.Paths.Keys);
    }

    [Fact]
    public async Task Without_the_other_service_the_api_still_serves_its_own_document()
    {
        using var api = new ApiHost(new() { ["OpenApi:Include:0"] = "http://127.0.0.1:9/openapi/v1.json" });
        using var client = api.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!.AsObject();

        Assert.True(document["paths"]!.AsObject().ContainsKey("/v1/papers"));
        Assert.False(document["paths"]!.AsObject().ContainsKey("/api/subscriptions"));
    }
}
