namespace Papers.ServiceDefaults.Messaging;

public enum MessagingTransport
{
    /// <summary>One process, no broker: the embedded default.</summary>
    InMemory,

    /// <summary>RabbitMQ at <c>ConnectionStrings:RabbitMq</c> (an amqp:// URI).</summary>
    RabbitMq,
}

/// <summary>Section <c>Messaging</c>.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    public MessagingTransport Transport { get; set; } = MessagingTransport.InMemory;

    /// <summary>In-process retries of a failing message before it goes to <c>&lt;queue&gt;_error</c>.</summary>
    public int RetryLimit { get; set; } = 5;

    /// <summary>First retry delay; later ones grow exponentially up to <see cref="RetryMaxInterval"/>.</summary>
    public TimeSpan RetryMinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Broker-side delayed redelivery (minutes apart) after in-process retries are spent. Needs the
    /// RabbitMQ delayed-message-exchange plugin, which Debian's RabbitMQ lacks: off by default.
    /// </summary>
    public bool DelayedRedelivery { get; set; }

    /// <summary>Messages fetched ahead per consumer; bounds memory and fairness between replicas.</summary>
    public int PrefetchCount { get; set; } = 32;
}
