using MassTransit;
using Microsoft.Extensions.Logging;

namespace Papers.ServiceDefaults.Messaging;

/// <summary>
/// Logs every message a consumer of this process receives, once per delivery (not again for each
/// in-process retry), as <c>Received {MessageType} {MessageId} on {Queue}</c> under the category
/// <c>Papers.Messaging.Received</c> at Debug: off by default, on with
/// <c>Logging__LogLevel__Papers.Messaging.Received=Debug</c> (the cluster tests count deliveries
/// per replica from it). A batch consumer's messages are logged one by one as they arrive.
/// </summary>
internal sealed class ReceivedMessageLog(ILoggerFactory logs) : IConsumeObserver
{
    public const string Category = "Papers.Messaging.Received";

    private readonly ILogger _logger = logs.CreateLogger(Category);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class
    {
        if (_logger.IsEnabled(LogLevel.Debug) && !IsBatch(typeof(T)) && context.GetRetryAttempt() == 0)
            _logger.LogDebug("Received {MessageType} {MessageId} on {Queue}", typeof(T).Name, context.MessageId, QueueOf(context.ReceiveContext.InputAddress));
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    /// <summary>The receive endpoint's queue: the last segment of its address (<c>rabbitmq://host/vhost/index-paper</c>).</summary>
    internal static string QueueOf(Uri? inputAddress) =>
        inputAddress?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "unknown";

    private static bool IsBatch(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Batch<>);
}
