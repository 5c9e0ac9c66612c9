using System.Net;
using Papers.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests;

/// <summary>
/// <c>/health/ready</c> follows the database only: every service stays ready while the broker is
/// down (issue 11: the Api serves reads from its database, Enrichment serves /embed, writes go to
/// the outboxes; failing readiness on a broker every replica shares would take each whole service
/// offline at once). <c>/health/broker</c> says whether the broker is reachable. <c>/alive</c>
/// follows neither.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HealthTests(ClusterInfrastructure infra, ITestOutputHelper output)
{
    [Fact]
    public async Task Readiness_follows_the_database_not_the_broker_whose_state_shows_at_its_own_endpoint_and_liveness_follows_neither()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "health");
        // A probe's own time limit, as a Kubernetes readiness probe has: no answer in time is a failure.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        async Task<HttpStatusCode?> Status(string service, string path)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(cluster[service].BaseUri, path));
                return response.StatusCode;
            }
            catch (TaskCanceledException)
            {
                return null;
            }
        }
        Task Await(IEnumerable<string> services, Func<HttpStatusCode?, bool> expected, string what, string path = "health/ready") =>
            Task.WhenAll(services.Select(s => Eventually.UntilAsync(() => Status(s, path), expected,
                TimeSpan.FromSeconds(120), $"{s} /{path} {what}", TimeSpan.FromMilliseconds(500))));
        static bool Ready(HttpStatusCode? c) => c == HttpStatusCode.OK;
        static bool Unready(HttpStatusCode? c) => c == HttpStatusCode.ServiceUnavailable;

        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();

            await infra.Broker.StopAsync();
            cluster.Log("RabbitMQ stopped");
            try
            {
                await Await(ClusterUnderTest.Services, Unready, "503 with RabbitMQ down", "health/broker");
                // Checked after the broker's absence showed everywhere: readiness did not follow it.
                foreach (var s in ClusterUnderTest.Services)
                {
                    var ready = await Status(s, "health/ready");
                    Assert.True(ready == HttpStatusCode.OK, $"{s}'s /health/ready answered {ready?.ToString() ?? "nothing in 10 s"} with RabbitMQ down: it must stay ready");
                    Assert.Equal(HttpStatusCode.OK, await Status(s, "alive"));
                }
                cluster.Log("broker endpoints 503, every service still ready and alive");
            }
            finally
            {
                await infra.Broker.StartAsync();
                cluster.Log("RabbitMQ started again");
            }
            await Await(ClusterUnderTest.Services, Ready, "200 after RabbitMQ came back", "health/broker");
            cluster.Log("every service ready again");

            await infra.Database.StopAsync();
            cluster.Log("PostgreSQL stopped");
            try
            {
                // Every service reads the identity database (API keys, the Data Protection key ring); Enrichment has no other.
                await Await(ClusterUnderTest.Services, Unready, "503 with PostgreSQL down");
                foreach (var s in ClusterUnderTest.Services)
                    Assert.Equal(HttpStatusCode.OK, await Status(s, "alive"));
                cluster.Log("every service unready, all alive");
            }
            finally
            {
                await infra.Database.StartAsync();
                cluster.Log("PostgreSQL started again");
            }
            await Await(ClusterUnderTest.Services, Ready, "200 after PostgreSQL came back");
        });
    }
}
