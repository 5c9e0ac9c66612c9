namespace Papers.Enrichment.Embeddings;

/// <summary>
/// Loads the model at start-up, so a damaged model fails the start with a clear message
/// instead of the first message, and the first batch doesn't pay the load.
/// </summary>
internal sealed class ModelWarmUp(OnnxEmbedder embedder) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        embedder.Embed(["warm-up"], cancellationToken);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
