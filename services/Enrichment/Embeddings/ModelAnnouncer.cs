using MassTransit;
using Papers.Contracts;

namespace Papers.Enrichment.Embeddings;

/// <summary>
/// Publishes <see cref="EnrichmentRunning"/> once this replica serves and then every
/// <see cref="EmbeddingOptions.AnnounceEvery"/>, so the Api learns which embedding model papers
/// should have and re-enriches the others. The repeats matter: an announcement published before
/// the Api's queue existed (a fresh install, or Enrichment upgraded before the Api) is dropped by
/// the broker. A failed publish is retried sooner.
/// </summary>
internal sealed class ModelAnnouncer(
    OnnxEmbedder embedder, IBus bus, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<ModelAnnouncer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await Started(stoppingToken))
            return;
        var startedAt = clock.GetUtcNow();
        var instance = $"{Environment.MachineName}/{Environment.ProcessId}";
        var every = embedder.Options.AnnounceEvery;
        for (int failures = 0, sent = 0; !stoppingToken.IsCancellationRequested;)
        {
            try
            {
                await bus.Publish(new EnrichmentRunning(embedder.ModelId, embedder.Dimensions, instance, startedAt, clock.GetUtcNow()), stoppingToken);
                logger.Log(sent++ == 0 || failures > 0 ? LogLevel.Information : LogLevel.Debug,
                    "Announced embedding model {Model}; again every {Every}", embedder.ModelId, every);
                failures = 0;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                logger.LogWarning(ex, "Announcing embedding model {Model} failed (attempt {Attempt}); retrying", embedder.ModelId, failures);
            }
            var wait = failures == 0 ? every : TimeSpan.FromSeconds(Math.Min(every.TotalSeconds, 2 * failures));
            try
            {
                await Task.Delay(wait, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Waits for the host (and so the bus, which starts last) to be running.</summary>
    private async Task<bool> Started(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(started.SetResult);
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
