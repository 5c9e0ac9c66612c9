using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Papers.Api.Data;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Api.Tests;

/// <summary>A host composed wrongly stops at start-up, saying what is missing, instead of running without it.</summary>
public sealed class CompositionTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("papers-composition-").FullName;

    private HostApplicationBuilder Builder()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Database:DataDirectory"] = _data });
        builder.AddServiceDefaults();
        return builder;
    }

    [Fact]
    public async Task A_service_whose_module_is_not_given_to_the_bus_stops_start_up()
    {
        var builder = Builder();
        builder.AddEnrichmentClient(EmbedBudget.Interactive);
        builder.AddApi();
        builder.AddMessaging();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Api was added but its module was not given to AddMessaging", error.Message);
    }

    [Fact]
    public async Task A_service_without_the_embedder_it_needs_stops_start_up()
    {
        var builder = Builder();
        var api = builder.AddApi();
        builder.AddMessaging(api);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Api needs a ITextEmbedder", error.Message);
    }

    [Fact]
    public void A_second_embedder_is_refused_where_it_is_added()
    {
        var builder = Builder();
        builder.AddEnrichmentClient(EmbedBudget.Interactive);

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddEnrichmentClient(EmbedBudget.Interactive));
        Assert.Contains("already embeds texts with Enrichment at", error.Message);
    }

    [Fact]
    public void The_bus_is_added_once()
    {
        var builder = Builder();
        builder.AddMessaging();

        Assert.Throws<InvalidOperationException>(() => builder.AddMessaging());
    }

    [Fact]
    public async Task A_database_with_an_outbox_but_no_relay_stops_start_up()
    {
        var builder = Builder();
        builder.AddServiceDbContext<ApiDbContext>("Api");
        builder.AddMessaging();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("call AddOutbox<ApiDbContext>()", error.Message);
        Assert.False(File.Exists(Path.Combine(_data, "api.db")), "nothing was created before the check");
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
