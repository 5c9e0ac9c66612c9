using Papers.Api.Apis;
using Papers.Api.Consumers;
using Papers.Api.Data;
using Papers.Api.Reenrichment;
using Papers.Api.Search;
using Papers.Api.Web;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Api;

public static class Extensions
{
    /// <summary>Api: the read model, its search index, re-enrichment after a model change, the public JSON API and the web page.</summary>
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDbContext<ApiDbContext>("Api");
        builder.AddTextEmbedderClient();
        builder.AddSearchIndex(); // Search:Backend = InMemory | Disk (services/Api/README.md, "Search sizing")
        builder.Services.AddSingleton<IndexHydrator>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IndexHydrator>());
        builder.Services.AddOptions<ReenrichmentOptions>().BindConfiguration(ReenrichmentOptions.Section);
        builder.Services.AddSingleton<ReenrichmentSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReenrichmentSweeper>());
        builder.Services.AddOpenApi();

        builder.AddConsumer<IndexPaperConsumer, IndexPaperConsumerDefinition>();
        builder.AddConsumer<IndexEnrichmentConsumer, IndexEnrichmentConsumerDefinition>();
        builder.AddConsumer<TrackEmbeddingModelConsumer, TrackEmbeddingModelConsumerDefinition>();
        return builder;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapWebPage();
        app.MapDailyPapersApi();
        app.MapPapersApi();
        app.MapVotesApi();
        app.MapStatsApi();
        return app;
    }
}
