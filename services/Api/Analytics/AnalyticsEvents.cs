using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using MassTransit;
using Papers.ServiceDefaults.Telemetry;

namespace Papers.Api.Analytics;

/// <summary>
/// The analytics events reads produce (<c>PaperViewed</c>, <c>SearchPerformed</c>), published
/// without making the read wait: a request only queues its event (a bounded queue in memory) and
/// returns; this background publisher sends the queue to the bus. While the broker is unavailable,
/// or when the queue is full, events are dropped and counted (<c>papers.api.analytics.dropped</c>,
/// by reason) instead: they are best effort, and reads never wait on the broker.
/// </summary>
public sealed class AnalyticsEvents(IBusControl bus, ILogger<AnalyticsEvents> logger) : BackgroundService
{
    /// <summary>Events waiting at most; about a minute of a busy replica's reads.</summary>
    public const int Capacity = 10_000;

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);

    private static readonly Counter<long> Dropped = PapersTelemetry.Meter.CreateCounter<long>("papers.api.analytics.dropped",
        description: "Analytics events (PaperViewed, SearchPerformed) not published: queue full, broker unavailable, or publish failed");

    private readonly Channel<(object Message, ActivityContext Parent)> _queue = Channel.CreateBounded<(object, ActivityContext)>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private long _dropped;
    private volatile bool _dropping;

    /// <summary>Analytics events dropped by this replica since it started.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Queues <paramref name="message"/> for publishing; never waits. False when it was dropped (queue full).</summary>
    public bool Record<T>(T message) where T : class
    {
        if (_queue.Writer.TryWrite((message, Activity.Current?.Context ?? default)))
            return true;
        Drop("queue-full");
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (message, parent) in _queue.Reader.ReadAllAsync(stoppingToken))
                await PublishAsync(message, parent, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is dropped with the process.
        }
    }

    private async Task PublishAsync(object message, ActivityContext parent, CancellationToken stoppingToken)
    {
        // A disconnected bus would hold each publish until it reconnects (or the timeout): drop at once instead.
        if (bus.CheckHealth().Status != BusHealthStatus.Healthy)
        {
            Drop("broker-unavailable");
            return;
        }
        using var activity = PapersTelemetry.ActivitySource.StartActivity("analytics publish", ActivityKind.Producer, parent);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PublishTimeout);
        try
        {
            await bus.Publish(message, message.GetType(), timeout.Token);
            if (_dropping)
            {
                _dropping = false;
                logger.LogInformation("Analytics events are published again ({Dropped} dropped so far)", DroppedCount);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Drop("publish-failed", ex);
        }
    }

    private void Drop(string reason, Exception? exception = null)
    {
        Interlocked.Increment(ref _dropped);
        Dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
        if (!_dropping)
        {
            // Once per outage, not once per event.
            _dropping = true;
            logger.LogWarning(exception, "Dropping analytics events ({Reason}) until they can be published again", reason);
        }
    }
}
