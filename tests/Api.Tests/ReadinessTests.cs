using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Papers.Api.Analytics;
using Papers.TestSupport;
using Xunit.Abstractions;

namespace Papers.Api.Tests;

/// <summary>
/// The Api over real RabbitMQ (a vhost of its own), reached through a TCP proxy the test can cut:
/// with the broker unreachable it stays ready (the broker shows as Degraded), <c>/health/broker</c>
/// says 503, reads answer at once (analytics events are dropped and counted, not waited for), and
/// once the broker is back it is reported healthy again.
/// </summary>
public sealed class ReadinessTests(ITestOutputHelper output)
{
    [RabbitMqFact]
    public async Task With_the_broker_unreachable_the_Api_stays_ready_and_serves_reads()
    {
        var amqp = new Uri(Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ")!);
        using var management = new RabbitMqManagement(new Uri(Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ_MANAGEMENT")!), amqp);
        var vhost = $"papers-readiness-{Guid.NewGuid():N}";
        await management.CreateVhostAsync(vhost);
        try
        {
            await using var proxy = TcpProxy.Start(amqp.Host, amqp.Port);
            using var api = new ApiHost(new Dictionary<string, string?>
            {
                ["Messaging:Transport"] = "RabbitMq",
                ["ConnectionStrings:RabbitMq"] = new UriBuilder(amqp) { Port = proxy.Port, Path = "/" + Uri.EscapeDataString(vhost) }.Uri.ToString(),
                ["Services:Enrichment"] = LocalServer.NothingListening().ToString(),
            });
            await api.SeedAsync(("2501.00001", "Diffusion models beat GANs", "Better samples."));
            using var client = api.CreateClient();
            Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(client, "/health/ready"));
            Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(client, "/health/broker"));

            proxy.Cut();
            await Eventually.UntilAsync(() => HealthAsync(client, "/health/broker"), h => h.Status == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "/health/broker to say 503");

            Assert.Equal((HttpStatusCode.OK, "Degraded"), await HealthAsync(client, "/health/ready"));
            var clock = Stopwatch.StartNew();
            using (var paper = await client.GetAsync("/api/papers/2501.00001"))
                Assert.Equal(HttpStatusCode.OK, paper.StatusCode);
            using (var search = await client.GetAsync("/api/papers/search?q=diffusion"))
                Assert.Equal(HttpStatusCode.OK, search.StatusCode);
            output.WriteLine($"with the broker cut, a paper and a search answered in {clock.Elapsed.TotalSeconds:0.000} s");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"reads took {clock.Elapsed.TotalSeconds:0.00} s with the broker down");
            var analytics = api.Services.GetRequiredService<AnalyticsEvents>();
            await Eventually.UntilAsync(() => Task.FromResult(analytics.DroppedCount), n => n >= 2, TimeSpan.FromSeconds(10), "the two analytics events to be dropped");

            proxy.Restore();
            await Eventually.UntilAsync(() => HealthAsync(client, "/health/broker"), h => h.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the bus to reconnect");
            Assert.Equal((HttpStatusCode.OK, "Healthy"), await HealthAsync(client, "/health/ready"));
        }
        finally
        {
            await management.DeleteVhostAsync(vhost);
        }
    }

    private static async Task<(HttpStatusCode Status, string? Health)> HealthAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body.GetProperty("status").GetString());
    }

    /// <summary>
    /// Forwards TCP connections from a local port to the broker. <see cref="Cut"/> drops every
    /// connection and refuses new ones (the broker is unreachable for this client only: the shared
    /// broker itself keeps running); <see cref="Restore"/> forwards again.
    /// </summary>
    private sealed class TcpProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly string _host;
        private readonly int _port;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _open = [];
        private readonly Task _accepting;
        private volatile bool _cut;

        private TcpProxy(string host, int port)
        {
            (_host, _port) = (host, port);
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static TcpProxy Start(string host, int port) => new(host, port);

        public void Cut()
        {
            _cut = true;
            lock (_open)
            {
                foreach (var client in _open)
                    client.Dispose();
                _open.Clear();
            }
        }

        public void Restore() => _cut = false;

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient inbound;
                try
                {
                    inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                if (_cut)
                {
                    inbound.Dispose();
                    continue;
                }
                _ = ForwardAsync(inbound);
            }
        }

        private async Task ForwardAsync(TcpClient inbound)
        {
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(_host, _port, _stop.Token);
                lock (_open)
                    _open.AddRange([inbound, outbound]);
                var a = inbound.GetStream().CopyToAsync(outbound.GetStream(), _stop.Token);
                var b = outbound.GetStream().CopyToAsync(inbound.GetStream(), _stop.Token);
                await Task.WhenAny(a, b);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // A cut, or either side closed.
            }
            finally
            {
                inbound.Dispose();
                outbound.Dispose();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            Cut();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
