using MassTransit;
using Papers.Analytics.Archive;

namespace Papers.Analytics.Consumers;

/// <summary>
/// Archives one event: hands it to the <see cref="ArchiveBuffer"/> and returns when the file that
/// holds it is committed, so MassTransit acknowledges the message only then; if the append fails,
/// this throws, and the message is retried and, failing that, goes to the error queue.
/// </summary>
public sealed class ArchiveEventsConsumer<T>(ArchivedTypes types, ArchiveBuffer buffer) : IConsumer<T>
    where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        var schema = types.Of(typeof(T));
        // A message without an id (not one of ours: MassTransit always sets it) is kept under a new one.
        var row = schema.Row(context.MessageId ?? NewId.NextGuid(), context.SentTime, context.Message);
        return buffer.AppendAsync(schema, row, context.CancellationToken);
    }
}

/// <summary>
/// One queue per event type, <c>analytics-&lt;event-type&gt;</c>, bound to the type's fanout exchange.
/// Enough messages in flight for the batches being written and the next ones filling meanwhile.
/// </summary>
public sealed class ArchiveEventsConsumerDefinition<T> : ConsumerDefinition<ArchiveEventsConsumer<T>>
    where T : class
{
    private readonly ArchiveOptions _options;

    public ArchiveEventsConsumerDefinition(ArchiveOptions options)
    {
        _options = options;
        EndpointName = ArchiveQueues.Of(typeof(T));
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ArchiveEventsConsumer<T>> consumer, IRegistrationContext context)
    {
        var inFlight = _options.BatchSize * (_options.ConcurrentBatches + 1);
        endpoint.PrefetchCount = Math.Max(endpoint.PrefetchCount, inFlight);
        endpoint.ConcurrentMessageLimit = inFlight;
    }
}

public static class ArchiveQueues
{
    public const string Prefix = "analytics-";

    /// <summary>The queue of one event type: <c>analytics-paper-viewed</c>.</summary>
    public static string Of(Type eventType) => Prefix + KebabCaseEndpointNameFormatter.Instance.SanitizeName(eventType.Name);
}
