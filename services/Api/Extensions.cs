using MassTransit;
using Papers.Api.Accounts;
using Papers.Api.Analytics;
using Papers.Api.Apis;
using Papers.Api.Apis.V1;
using Papers.Api.Consumers;
using Papers.Api.Data;
using Papers.Api.Library;
using Papers.Api.Recommendations;
using Papers.Api.Reenrichment;
using Papers.Api.Retagging;
using Papers.Api.Search;
using Papers.Api.Web;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Security;

namespace Papers.Api;

public static class Extensions
{
    /// <summary>Api: the read model, its search index, re-enrichment after a model change, re-tagging after a tagger promotion, the public JSON API and the web pages.</summary>
    /// <remarks>Needs an <see cref="ITextEmbedder"/> from the host (for query vectors).</remarks>
    public static ServiceModule AddApi(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDbContext<ApiDbContext>("Api");
        builder.AddOutbox<ApiDbContext>();
        builder.AddSearchIndex(); // Search:Backend = InMemory | Disk (services/Api/README.md, "Search sizing")
        builder.Services.AddSingleton<SearchIndexSignal>();
        builder.Services.AddSingleton<IndexHydrator>(); // one instance: the hosted service and the readiness check read the same Loaded
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IndexHydrator>());
        builder.Services.AddOptions<ReenrichmentOptions>().BindConfiguration(ReenrichmentOptions.Section);
        builder.Services.AddSingleton<ReenrichmentTarget>();
        builder.Services.AddSingleton<ReenrichmentSignal>();
        builder.Services.AddHostedService<ReenrichmentSweeper>();
        builder.Services.AddRetagging();
        builder.Services.AddSingleton<AnalyticsEvents>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AnalyticsEvents>());
        builder.Services.AddOptions<SubmissionOptions>().BindConfiguration(SubmissionOptions.Section);
        builder.AddAccountSignIn(); // Accounts:Oidc (README, "Accounts")
        builder.Services.AddSingleton(new LibraryRecommender(new RecommenderOptions()));
        builder.Services.AddScoped<ForYou>();
        builder.Services.AddScoped<AccountLibrary>();
        builder.AddPublicApiDocument();
        builder.AddWeb();

        return builder.AddModule(new ServiceModule("Api", bus =>
        {
            // No concurrency limits: each consumer is correct with any number of concurrent
            // deliveries on any number of replicas (revision tokens; the bus retries the loser).
            bus.AddConsumer<IndexPaperConsumer>();
            bus.AddConsumer<IndexEnrichmentConsumer>();
            bus.AddConsumer<TrackEmbeddingModelConsumer>();
            RetaggingConsumers(bus);
        }, typeof(ITextEmbedder)));
    }

    /// <summary>Re-tagging stored papers after a tagger promotion: its settings (<c>Retagging</c>), target and sweeper; the consumers are <see cref="RetaggingConsumers"/>.</summary>
    public static IServiceCollection AddRetagging(this IServiceCollection services)
    {
        services.AddOptions<RetaggingOptions>().BindConfiguration(RetaggingOptions.Section);
        services.AddSingleton<RetaggingTarget>();
        services.AddSingleton<RetaggingSignal>();
        services.AddHostedService<RetaggingSweeper>();
        return services;
    }

    /// <summary>The promotions the Api tracks and the tags Enrichment sends back.</summary>
    public static void RetaggingConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<TrackTaggerModelConsumer>();
        bus.AddConsumer<IndexRetagConsumer>();
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        app.MapPublicApiDocument();
        app.MapWeb();
        app.MapDailyPapersApi();
        app.MapPapersApi();
        app.MapV1Api();
        app.MapVisitorSession();
        app.MapVotesApi();
        app.MapSubmissionsApi();
        app.MapAdminApi();
        app.MapAccountSignIn();
        app.MapLibraryApi();
        app.MapAccountApi();
        app.MapLibraryDigestApi();
        app.MapStatsApi();
        return app;
    }
}
