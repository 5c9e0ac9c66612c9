using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Papers.Enrichment.Apis;
using Papers.Enrichment.Consumers;
using Papers.Enrichment.Embeddings;
using Papers.Enrichment.Keywords;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Enrichment;

public static class Extensions
{
    /// <summary>Enrichment: the embedding model and its announcement, the topic tagger, keywords, and its one consumer.</summary>
    public static IHostApplicationBuilder AddEnrichment(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmbeddingOptions>().BindConfiguration(EmbeddingOptions.Section);
        builder.Services.AddOptions<TaggerOptions>().BindConfiguration(TaggerOptions.Section);
        builder.Services.Configure<CustomTopicsOptions>(o =>
            o.Topics = builder.Configuration.GetSection(CustomTopicsOptions.Section).Get<List<CustomTopic>>() ?? []);
        builder.Services.AddSingleton<OnnxEmbedder>();
        // This host runs the model: it replaces any HTTP embedding client another service added.
        // Everyone embeds through the micro-batcher; batches of papers pass straight through it.
        builder.Services.AddSingleton(sp => new EmbeddingBatcher(sp.GetRequiredService<OnnxEmbedder>(), sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value));
        builder.Services.RemoveAll<ITextEmbedder>();
        builder.Services.AddSingleton<ITextEmbedder>(sp => sp.GetRequiredService<EmbeddingBatcher>());
        builder.Services.AddHostedService<ModelWarmUp>();
        builder.Services.AddHostedService<ModelAnnouncer>();
        builder.Services.AddSingleton<ITopicTagger, TopicTagger>();
        builder.Services.AddSingleton<KeywordExtractor>();

        builder.AddConsumer<EnrichPaperConsumer, EnrichPaperConsumerDefinition>();
        return builder;
    }

    public static WebApplication MapEnrichment(this WebApplication app)
    {
        app.MapEmbedApi();
        return app;
    }
}
