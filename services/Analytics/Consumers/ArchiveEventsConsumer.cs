using MassTransit;
using Papers.Analytics.Archive;

namespace Papers.Analytics.Consumers;

/// <summary>
/// Archives a batch of one event type. MassTransit acknowledges the batch's messages only after
/// this returns, that is after their file is committed (<see cref="ArchiveAppender"/>); if it
/// throws, the whole batch is retried and, failing that, goes to the error queue, never dropped.
/// </summary>
public sealed class ArchiveEventsConsumer<T>(ArchivedTypes types, ArchiveAppender appender) : IConsumer<Batch<T>>
    where T : class
{
    public Task Consume(ConsumeContext<Batch<T>> context)
    {
        var schema = types.Of(typeof(T));
        var rows = new List<ArchiveRow>(context.Message.Length);
        foreach (var message in context.Message)
            // A message without an id (not one of ours: MassTransit always sets it) is kept under a new one.
            rows.Add(schema.Row(message.MessageId ?? NewId.NextGuid(), message.SentTime, message.Message));
        return appender.AppendAsync(schema, rows, context.CancellationToken);
    }
}

/// <summary>
/// One queue per event type, <c>analytics-&lt;event-type&gt;</c>, bound to the type's fanout exchange;
/// batches of <c>Analytics:BatchSize</c> or whatever arrived within <c>Analytics:FlushAfter</c>.
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
        // The batches being written, and the next one filling meanwhile: with less, a batch waits
        // for its time limit, or every batch starts filling only when the ones before are acknowledged.
        endpoint.PrefetchCount = Math.Max(endpoint.PrefetchCount, _options.BatchSize * (_options.ConcurrentBatches + 1));
        consumer.Options<BatchOptions>(o => o
            .SetMessageLimit(_options.BatchSize)
            .SetTimeLimit(_options.FlushAfter)
            .SetConcurrencyLimit(_options.ConcurrentBatches));
    }
}

public static class ArchiveQueues
{
    public const string Prefix = "analytics-";

    /// <summary>The queue of one event type: <c>analytics-paper-viewed</c>.</summary>
    public static string Of(Type eventType) => Prefix + KebabCaseEndpointNameFormatter.Instance.SanitizeName(eventType.Name);
}
