using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Leases;
using Papers.Training.Data;

namespace Papers.Training.Retraining;

/// <summary>
/// Embeds the base set once the host runs and the first labelled example arrived (minutes on a
/// CPU; a host that harvests nothing labelled never spends them), so that the first retraining an
/// operator asks for doesn't wait for it. Under the <c>retrain</c> lease: a replica that finds it
/// taken leaves the work to the holder (a retraining embeds what is missing anyway). Retries
/// while the embedder (Enrichment) can't be reached.
/// </summary>
public sealed class BaseSetWarmUp(
    IServiceScopeFactory scopes, ITextEmbedder embedder, ClusterLease<TrainingDbContext> lease, IHostApplicationLifetime lifetime,
    IOptions<TrainingOptions> options, TimeProvider clock, ILogger<BaseSetWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.UseBaseSet)
            return;
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        for (var attempt = 1; !stoppingToken.IsCancellationRequested;)
        {
            try
            {
                if (!await AnyLabelledAsync(stoppingToken))
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), clock, stoppingToken);
                    continue;
                }
                await lease.RunOnceAsync(Retrainer.Job, null, async ct =>
                {
                    // One text first: an embedder that calls Enrichment learns the model id from its answer.
                    await embedder.EmbedAsync(["warm-up"], ct);
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<BaseTrainingSet>().LoadAsync(embedder.ModelId, ct);
                }, stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Embedding the base set (or looking for labelled examples) failed (attempt {Attempt}); retrying in a minute", attempt++);
                try
                {
                    await Task.Delay(TimeSpan.FromMinutes(1), clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<bool> AnyLabelledAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TrainingDbContext>().Examples.AnyAsync(e => e.Version > 0, cancellationToken);
    }
}
