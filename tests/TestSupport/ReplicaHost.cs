using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Messaging;

namespace Papers.TestSupport;

/// <summary>
/// One replica of a service as its host composes it for messaging: the platform's own bus
/// (<c>AddMessaging</c>: in-memory transport, the retry policy every service gets), the service's
/// consumers, its DbContext on a shared <see cref="TestDatabase{TContext}"/> and its lease. Two of
/// these on one database are two replicas; each has its own bus, so a message published to one is
/// consumed by that replica only. Logs are captured, the diagnostics categories at Debug.
/// </summary>
public sealed class ReplicaHost<TContext> : IAsyncDisposable
    where TContext : DbContext
{
    private readonly IHost _host;

    private readonly ConsumedMessages _consumed = new();

    private ReplicaHost(IHost host, CapturedLogs logs)
    {
        (_host, Logs) = (host, logs);
        Bus.ConnectConsumeObserver(_consumed);
    }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _host.Services;

    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    /// <param name="module">The consumers, as the service's <c>AddX</c> names them.</param>
    /// <param name="services">The rest the consumers need.</param>
    /// <param name="interceptors">On every DbContext this replica makes (a test's interleaving).</param>
    public static Task<ReplicaHost<TContext>> StartAsync(TestDatabase<TContext> database, ServiceModule module,
        Action<IServiceCollection>? services = null, params IInterceptor[] interceptors) =>
        StartAsync(database, module, services, receivedAtDebug: true, interceptors);

    /// <param name="receivedAtDebug">Turns <c>Papers.Messaging.Received</c> on, as the cluster tests do (off by default).</param>
    public static async Task<ReplicaHost<TContext>> StartAsync(TestDatabase<TContext> database, ServiceModule module,
        Action<IServiceCollection>? services, bool receivedAtDebug, params IInterceptor[] interceptors)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            // The production policy (retries, then the error queue), with short waits.
            ["Messaging:RetryMinInterval"] = "00:00:00.020",
            ["Messaging:RetryMaxInterval"] = "00:00:00.200",
        });
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        if (receivedAtDebug)
            builder.Logging.AddFilter("Papers.Messaging.Received", LogLevel.Debug);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDbContext<TContext>(o => database.Configure(o, interceptors));
        builder.Services.AddClusterLease<TContext>(database.ReplicaLocks());
        services?.Invoke(builder.Services);
        builder.AddMessaging(module);
        var host = builder.Build();
        await host.StartAsync();
        return new ReplicaHost<TContext>(host, logs);
    }

    /// <summary>Publishes <paramref name="message"/> on this replica's bus with the given message id.</summary>
    public Task PublishAsync<T>(T message, Guid messageId) where T : class =>
        Bus.Publish(message, c => c.MessageId = messageId);

    /// <summary>Waits until a consumer of this replica has consumed the message successfully (after any retries).</summary>
    public Task WaitConsumedAsync(Guid messageId, TimeSpan timeout) => _consumed.Of(messageId).WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>Completes a task per message id when a consumer has consumed it successfully (after any in-process retries).</summary>
internal sealed class ConsumedMessages : IConsumeObserver
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, TaskCompletionSource> _done = new();

    public Task Of(Guid messageId) => Completion(messageId).Task;

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Finished(context);

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    private Task Finished<T>(ConsumeContext<T> context) where T : class
    {
        if (context.MessageId is { } id)
            Completion(id).TrySetResult();
        return Task.CompletedTask;
    }

    private TaskCompletionSource Completion(Guid id) => _done.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
