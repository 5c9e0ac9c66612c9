using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Papers.Enrichment.Apis;
using Papers.Enrichment.Consumers;
using Papers.Enrichment.Embeddings;
using Papers.Enrichment.Keywords;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment;

public static class Extensions
{
    /// <summary>Enrichment: the embedding model and its announcement, the topic tagger and its model, keywords, and its consumers.</summary>
    public static ServiceModule AddEnrichment(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmbeddingOptions>().BindConfiguration(EmbeddingOptions.Section);
        builder.Services.AddOptions<TaggerOptions>().BindConfiguration(TaggerOptions.Section);
        builder.Services.Configure<CustomTopicsOptions>(o =>
            o.Topics = builder.Configuration.GetSection(CustomTopicsOptions.Section).Get<List<CustomTopic>>() ?? []);
        builder.Services.AddSingleton<OnnxEmbedder>();
        // This host runs the model, so it is the host's ITextEmbedder (the Api and Notifications of the
        // all-in-one host use it too). Everyone embeds through the micro-batcher; batches of papers
        // pass straight through it.
        builder.Services.AddSingleton(sp => new EmbeddingBatcher(sp.GetRequiredService<OnnxEmbedder>(), sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value));
        builder.AddTextEmbedder("the model Enrichment runs in this process",
            services => services.AddSingleton<ITextEmbedder>(sp => sp.GetRequiredService<EmbeddingBatcher>()));
        builder.Services.AddHostedService<ModelWarmUp>();
        builder.Services.AddHostedService<ModelAnnouncer>();
        // The tagger model Training promotes: fetched over HTTP from Services:Training (a host that
        // runs Training too replaces the source with its registry), swapped without a restart.
        if (builder.Configuration["Services:Training"] is { Length: > 0 } training)
        {
            builder.Services.AddHttpClient<HttpTaggerModelSource>(c => c.BaseAddress = new Uri(training.TrimEnd('/') + "/"));
            builder.Services.TryAddSingleton<ITaggerModelSource>(sp => sp.GetRequiredService<HttpTaggerModelSource>());
        }
        else
            builder.Services.TryAddSingleton<ITaggerModelSource, NoTaggerModelSource>();
        builder.Services.AddSingleton<TaggerModelHolder>();
        builder.Services.AddHostedService<TaggerModelRefresher>();
        builder.Services.AddSingleton<ITopicTagger, TopicTagger>();
        builder.Services.AddOptions<KeywordOptions>().BindConfiguration(KeywordOptions.Section)
            .Validate(o => o.PhraseCacheSize >= 0, "Keywords:PhraseCacheSize must be 0 (no cache) or more.").ValidateOnStart();
        builder.Services.AddSingleton<KeywordExtractor>();

        return builder.AddModule(new ServiceModule("Enrichment", bus =>
        {
            bus.AddConsumer<EnrichPaperConsumer, EnrichPaperConsumerDefinition>();
            bus.AddConsumer<RetagPaperConsumer, RetagPaperConsumerDefinition>();
            bus.AddConsumer<SwapTaggerModelConsumer, SwapTaggerModelConsumerDefinition>();
        }));
    }

    public static WebApplication MapEnrichment(this WebApplication app)
    {
        app.MapEmbedApi();
        return app;
    }
}
