using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Embeddings;

/// <summary>
/// Loads the model and the tagger at start-up, so a damaged model or a bad <c>Topics</c> entry
/// fails the start with a clear message instead of the first message, and the first batch
/// doesn't pay the load (custom topics are embedded here too).
/// </summary>
internal sealed class ModelWarmUp(OnnxEmbedder embedder, ITopicTagger tagger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var vectors = embedder.Embed(["warm-up"], EmbeddingRole.Query, cancellationToken);
        await tagger.TagAsync(vectors, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
