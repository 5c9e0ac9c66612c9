using MassTransit;
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
    /// <summary>Enrichment: the embedding model and its announcement, the topic tagger, keywords, and its one consumer.</summary>
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
        builder.Services.AddSingleton<ITopicTagger, TopicTagger>();
        builder.Services.AddOptions<KeywordOptions>().BindConfiguration(KeywordOptions.Section)
            .Validate(o => o.PhraseCacheSize >= 0, "Keywords:PhraseCacheSize must be 0 (no cache) or more.").ValidateOnStart();
        builder.Services.AddSingleton<KeywordExtractor>();

        return builder.AddModule(new ServiceModule("Enrichment", bus => bus.AddConsumer<EnrichPaperConsumer, EnrichPaperConsumerDefinition>()));
    }

    public static WebApplication MapEnrichment(this WebApplication app)
    {
        app.MapEmbedApi();
        return app;
    }
}
