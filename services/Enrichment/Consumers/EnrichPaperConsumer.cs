using MassTransit;
using Papers.Contracts;
using Papers.Enrichment.Keywords;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Consumers;

/// <summary>
/// Embeds, tags and extracts keywords for papers in batches (the model is much faster per paper
/// on a batch) and publishes one <see cref="PaperEnriched"/> per paper: new papers
/// (<see cref="PaperIngested"/>) and papers the Api wants enriched again by the current model
/// (<see cref="EnrichPaper"/>), each in batches of their own. Stateless: a redelivered batch is
/// recomputed and the Api ignores what it already has.
/// </summary>
public sealed class EnrichPaperConsumer(ITextEmbedder embedder, ITopicTagger tagger, TaggerModelHolder models, KeywordExtractor keywords, TimeProvider clock)
    : IConsumer<Batch<PaperIngested>>, IConsumer<Batch<EnrichPaper>>
{
    public Task Consume(ConsumeContext<Batch<PaperIngested>> context) =>
        EnrichAsync(context, context.Message.Select(m => new PaperText(m.Message.PaperId, m.Message.Version, m.Message.ContentHash, m.Message.Title, m.Message.Abstract)).ToList());

    public Task Consume(ConsumeContext<Batch<EnrichPaper>> context) =>
        EnrichAsync(context, context.Message.Select(m => new PaperText(m.Message.PaperId, m.Message.Version, m.Message.ContentHash, m.Message.Title, m.Message.Abstract)).ToList());

    private async Task EnrichAsync(ConsumeContext context, List<PaperText> papers)
    {
        var texts = papers.Select(p => p.ModelInput).ToList();
        var vectors = await embedder.EmbedAsync(texts, EmbeddingRole.Document, context.CancellationToken);
        var (tags, taggerModel) = await models.TagAsync(tagger, vectors, context.CancellationToken);
        var phrases = await keywords.ExtractAsync(texts, vectors, context.CancellationToken);
        var now = clock.GetUtcNow();

        for (var i = 0; i < papers.Count; i++)
        {
            var p = papers[i];
            await context.Publish(new PaperEnriched(
                p.PaperId, p.Version, p.ContentHash, vectors[i], embedder.ModelId,
                tags[i].Tags, tags[i].PredictedPrimaryCategory, phrases[i], now, taggerModel), context.CancellationToken);
        }
    }

    /// <summary>What the model reads for a paper: its title, then its abstract.</summary>
    public static string ModelText(string title, string? summary) =>
        string.IsNullOrWhiteSpace(summary) ? title : $"{title}. {summary}";

    private sealed record PaperText(string PaperId, int Version, string ContentHash, string Title, string Abstract)
    {
        public string ModelInput => ModelText(Title, Abstract);
    }
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
