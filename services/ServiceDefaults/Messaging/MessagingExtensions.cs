using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Papers.ServiceDefaults.Composition;

namespace Papers.ServiceDefaults.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// MassTransit, once per process, with the consumers of the services given (each service's
    /// <c>AddX</c> returns its module), the transport from <c>Messaging:Transport</c>, kebab-case
    /// queue names, and retry configured in one place: a message that still fails ends in
    /// <c>&lt;queue&gt;_error</c> with its exception headers. A service added to the host but not
    /// given here stops start-up (<see cref="CompositionCheck"/>).
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, params ServiceModule[] services)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(MessagingComposition)))
            throw new InvalidOperationException("AddMessaging was called twice: give every service's module to one call.");
        var options = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new MessagingComposition([.. services.Select(s => s.Name)]));

        builder.Services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            x.AddConsumeObserver<ReceivedMessageLog>();
            foreach (var service in services)
                service.AddConsumers(x);

            switch (options.Transport)
            {
                case MessagingTransport.InMemory:
                    x.UsingInMemory((context, cfg) =>
                    {
                        ConfigureRetry(cfg, options);
                        cfg.ConfigureEndpoints(context);
                    });
                    break;
                case MessagingTransport.RabbitMq:
                    var uri = builder.Configuration.GetConnectionString("RabbitMq")
                        ?? throw new InvalidOperationException("Messaging:Transport is RabbitMq but ConnectionStrings:RabbitMq (an amqp:// URI) is not set.");
                    x.UsingRabbitMq((context, cfg) =>
                    {
                        cfg.Host(new Uri(uri), h => h.PublisherConfirmation = true);
                        cfg.PrefetchCount = options.PrefetchCount;
                        if (options.DelayedRedelivery)
                        {
                            cfg.UseDelayedMessageScheduler();
                            cfg.UseDelayedRedelivery(r => r.Intervals(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)));
                        }
                        ConfigureRetry(cfg, options);
                        cfg.ConfigureEndpoints(context);
                    });
                    break;
                default:
                    throw new InvalidOperationException($"Messaging:Transport '{options.Transport}' is not supported; use InMemory or RabbitMq.");
            }
        });
        // Without this, a publish made while the bus is still starting is silently lost.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        // The broker is reported, not required: every service still serves its HTTP requests while
        // RabbitMQ is down (reads from its database; writes go to its outbox, published later), so
        // a broker outage must not take every replica of every service out of its Service at once.
        // /health/ready shows it as Degraded (200); /health/broker answers 503 for monitoring.
        builder.Services.AddHealthChecks().AddCheck<BusHealthCheck>("messaging", HealthStatus.Degraded, [Extensions.ReadyTag, Extensions.BrokerTag]);
        return builder;
    }

    private static void ConfigureRetry(IBusFactoryConfigurator cfg, MessagingOptions options) =>
        cfg.UseMessageRetry(r => r
            .Exponential(options.RetryLimit, options.RetryMinInterval, options.RetryMaxInterval, options.RetryMinInterval)
            .Ignore<PermanentMessageException>());
}
