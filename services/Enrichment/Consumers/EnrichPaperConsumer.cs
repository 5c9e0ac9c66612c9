using MassTransit;
using Papers.Contracts;
using Papers.Enrichment.Keywords;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Consumers;

/// <summary>
/// Embeds, tags and extracts keywords for papers in batches (the model is much faster per paper
/// on a batch) and publishes one <see cref="PaperEnriched"/> per paper. Stateless: a redelivered
/// batch is recomputed and the Api ignores what it already has.
/// </summary>
public sealed class EnrichPaperConsumer(ITextEmbedder embedder, ITopicTagger tagger, KeywordExtractor keywords, TimeProvider clock)
    : IConsumer<Batch<PaperIngested>>
{
    public async Task Consume(ConsumeContext<Batch<PaperIngested>> context)
    {
        var papers = context.Message.Select(m => m.Message).ToList();
        var texts = papers.Select(PaperText).ToList();
        var vectors = await embedder.EmbedAsync(texts, context.CancellationToken);
        var tags = await tagger.TagAsync(vectors, context.CancellationToken);
        var phrases = await keywords.ExtractAsync(texts, vectors, context.CancellationToken);
        var now = clock.GetUtcNow();

        for (var i = 0; i < papers.Count; i++)
        {
            var p = papers[i];
            await context.Publish(new PaperEnriched(
                p.PaperId, p.Version, p.ContentHash, vectors[i], embedder.ModelId,
                tags[i].Tags, tags[i].PredictedPrimaryCategory, phrases[i], now), context.CancellationToken);
        }
    }

    /// <summary>What the model reads for a paper: its title, then its abstract.</summary>
    public static string PaperText(PaperIngested paper) =>
        string.IsNullOrWhiteSpace(paper.Abstract) ? paper.Title : $"{paper.Title}. {paper.Abstract}";
}

public sealed class EnrichPaperConsumerDefinition : ConsumerDefinition<EnrichPaperConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<EnrichPaperConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Up to 32 papers a model call, waiting at most 200 ms to fill a batch; one batch at a
        // time per replica, since one model call already uses every core.
        endpointConfigurator.PrefetchCount = 64;
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(32)
            .SetTimeLimit(TimeSpan.FromMilliseconds(200))
            .SetConcurrencyLimit(1));
    }
}
