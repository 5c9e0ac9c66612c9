using System.Net;
using Papers.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests;

/// <summary>
/// <c>/health/ready</c> follows the database, and the broker for the services whose work comes
/// through it; the Api stays ready while the broker is down, because what it serves (reads)
/// does not need it (issue 11). <c>/alive</c> follows neither.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HealthTests(ClusterInfrastructure infra, ITestOutputHelper output)
{
    private static readonly string[] WithDatabase = ["Api", "Ingest", "Notifications"];

    /// <summary>Services whose readiness includes the broker.</summary>
    private static readonly string[] WithBroker = [.. ClusterUnderTest.Services.Except(["Api"])];

    [Fact]
    public async Task Readiness_fails_while_the_broker_or_the_database_is_down_except_the_Api_s_for_the_broker_and_liveness_does_not()
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
        Task Await(IEnumerable<string> services, Func<HttpStatusCode?, bool> expected, string what) =>
            Task.WhenAll(services.Select(s => Eventually.UntilAsync(() => Status(s, "health/ready"), expected,
                TimeSpan.FromSeconds(120), $"{s} /health/ready {what}", TimeSpan.FromMilliseconds(500))));
        static bool Ready(HttpStatusCode? c) => c == HttpStatusCode.OK;
        static bool Unready(HttpStatusCode? c) => c == HttpStatusCode.ServiceUnavailable;

        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();

            await infra.Broker.StopAsync();
            cluster.Log("RabbitMQ stopped");
            try
            {
                await Await(WithBroker, Unready, "503 with RabbitMQ down");
                // Checked after the others went unready: the broker's absence had time to show.
                var api = await Status("Api", "health/ready");
                Assert.True(api == HttpStatusCode.OK, $"the Api's /health/ready answered {api?.ToString() ?? "nothing in 10 s"} with RabbitMQ down: it must stay ready for reads");
                foreach (var s in ClusterUnderTest.Services)
                    Assert.Equal(HttpStatusCode.OK, await Status(s, "alive"));
                cluster.Log($"{string.Join(", ", WithBroker)} unready, the Api ready (for reads), all alive");
            }
            finally
            {
                await infra.Broker.StartAsync();
                cluster.Log("RabbitMQ started again");
            }
            await Await(ClusterUnderTest.Services, Ready, "200 after RabbitMQ came back");
            cluster.Log("every service ready again");

            await infra.Database.StopAsync();
            cluster.Log("PostgreSQL stopped");
            try
            {
                await Await(WithDatabase, Unready, "503 with PostgreSQL down");
                foreach (var s in ClusterUnderTest.Services)
                    Assert.Equal(HttpStatusCode.OK, await Status(s, "alive"));
                Assert.Equal(HttpStatusCode.OK, await Status("Enrichment", "health/ready")); // it has no database
                cluster.Log($"services with a database unready ({string.Join(", ", await Task.WhenAll(WithDatabase.Select(async s => $"{s}: {(await Status(s, "health/ready"))?.ToString() ?? "no answer in 10 s"}")))}), all alive");
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
