using MassTransit;
using Microsoft.Extensions.Options;
using Papers.Contracts;

namespace Papers.Enrichment.Tagging;

/// <summary>Training promoted a tagger model (or rolled back): this replica fetches it and tags with it from now on.</summary>
public sealed class SwapTaggerModelConsumer(TaggerModelHolder holder, ILogger<SwapTaggerModelConsumer> logger) : IConsumer<TaggerModelPromoted>
{
    public async Task Consume(ConsumeContext<TaggerModelPromoted> context)
    {
        var m = context.Message;
        logger.LogInformation("Training promoted tagger model {ModelId} for {EmbeddingModel}: {Reason}", m.ModelId?.ToString() ?? "(the built-in one)", m.EmbeddingModel, m.Reason);
        await holder.RefreshAsync(context.CancellationToken);
    }
}

/// <summary>
/// Every replica must hear every promotion, so each has a queue of its own (named after the
/// instance, deleted when it stops) instead of competing for one with the other replicas.
/// </summary>
public sealed class SwapTaggerModelConsumerDefinition : ConsumerDefinition<SwapTaggerModelConsumer>
{
    public SwapTaggerModelConsumerDefinition() =>
        Endpoint(e =>
        {
            e.InstanceId = $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..^24];
            e.Temporary = true;
        });
}

/// <summary>
/// Fetches the promoted tagger model when the replica starts, and again every
/// <see cref="TaggerOptions.RefreshEvery"/> (a replica that missed a promotion — its queue did
/// not exist yet, or Training was down — still catches up).
/// </summary>
internal sealed class TaggerModelRefresher(TaggerModelHolder holder, IOptions<TaggerOptions> options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await holder.RefreshAsync(stoppingToken);
                await Task.Delay(options.Value.RefreshEvery, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
