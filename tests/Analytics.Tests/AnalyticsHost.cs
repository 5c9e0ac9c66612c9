using System.Net;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;
using Papers.ServiceDefaults.Security;

namespace Papers.Analytics.Tests;

/// <summary>
/// One replica of the Analytics service composed as its Program.cs composes it (service defaults,
/// AddAnalytics, AddMessaging, the endpoints) on a real RabbitMQ virtual host and PostgreSQL,
/// listening on a free loopback port. Small batches written within 100 ms.
/// </summary>
public sealed class AnalyticsHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly ReceivedMessages _received = new();

    private AnalyticsHost(WebApplication app)
    {
        _app = app;
        Bus.ConnectReceiveObserver(_received);
    }

    /// <summary>Messages this replica received and finished with (consumed and acknowledged, duplicates included).</summary>
    public int Received => _received.Count;

    public IServiceProvider Services => _app.Services;

    public IBus Bus => Services.GetRequiredService<IBus>();

    public Uri BaseAddress => new(_app.Urls.Single());

    public static async Task<AnalyticsHost> StartAsync(IDictionary<string, string?> configuration)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "Papers.Analytics" });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RetryMinInterval"] = "00:00:00.020",
            ["Messaging:RetryMaxInterval"] = "00:00:00.200",
            ["Analytics:BatchSize"] = "100",
            ["Analytics:FlushAfter"] = "00:00:00.100",
            ["Database:MigrateOnStart"] = "false",
        });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddServiceDefaults();
        var analytics = builder.AddAnalytics();
        builder.AddMessaging(analytics);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapAnalytics();
        await app.StartAsync();
        return new AnalyticsHost(app);
    }

    /// <summary>An HTTP client with a new admin key of this deployment.</summary>
    public async Task<HttpClient> AdminClientAsync()
    {
        var key = await Services.GetRequiredService<ApiKeyStore>().IssueAsync("analyst", [Scopes.Admin], 10_000, default);
        var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Key);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed class ReceivedMessages : IReceiveObserver
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        Interlocked.Increment(ref _count);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
}
