using MassTransit;
using Papers.Contracts;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Consumers;

/// <summary>
/// Tags stored papers again with the tagger model Training promoted (<see cref="RetagPaper"/>,
/// sent by the Api after a promotion or rollback) and answers each with a <see cref="PaperRetagged"/>.
/// Only the stored vector is tagged: nothing is embedded. A request for a model this replica does
/// not tag with makes it fetch the promoted model once (its <c>TaggerModelPromoted</c> may not
/// have arrived yet); a request still for another model after that was superseded by a newer
/// promotion, or is for another embedding model, and is dropped: the Api asks again for what it
/// still needs.
/// </summary>
public sealed class RetagPaperConsumer(ITextEmbedder embedder, ITopicTagger tagger, TaggerModelHolder models, TimeProvider clock, ILogger<RetagPaperConsumer> logger)
    : IConsumer<Batch<RetagPaper>>
{
    public async Task Consume(ConsumeContext<Batch<RetagPaper>> context)
    {
        var requests = context.Message.Select(m => m.Message).Where(m => m.EmbeddingModel == embedder.ModelId).ToList();
        if (requests.Count < context.Message.Length)
            logger.LogWarning("Ignored {Count} re-tagging requests for vectors of another embedding model than {Model}", context.Message.Length - requests.Count, embedder.ModelId);
        if (requests.Any(r => r.TaggerModelId != models.CurrentId))
            await models.RefreshAsync(context.CancellationToken);
        if (requests.Count == 0)
            return;

        var (tags, taggerModel) = await models.TagAsync(tagger, requests.Select(r => r.Embedding).ToList(), context.CancellationToken);
        var now = clock.GetUtcNow();
        var ignored = 0;
        for (var i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            if (r.TaggerModelId != taggerModel)
            {
                ignored++;
                continue;
            }
            await context.Publish(new PaperRetagged(r.PaperId, r.Version, r.ContentHash, r.EmbeddingModel, taggerModel,
                tags[i].Tags, tags[i].PredictedPrimaryCategory, now), context.CancellationToken);
        }
        if (ignored > 0)
            logger.LogInformation("Ignored {Count} re-tagging requests for a tagger model that is not the promoted one ({Current} is)",
                ignored, taggerModel?.ToString() ?? "the built-in model");
    }
}

public sealed class RetagPaperConsumerDefinition : ConsumerDefinition<RetagPaperConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RetagPaperConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Tagging a vector is a small matrix product: large batches, one at a time per replica so
        // re-tagging never takes the cores new papers' embeddings need.
        endpointConfigurator.PrefetchCount = 256;
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(128)
            .SetTimeLimit(TimeSpan.FromMilliseconds(200))
            .SetConcurrencyLimit(1));
    }
}
