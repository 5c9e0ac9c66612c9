using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Api.Browse;

namespace Papers.Api.Tests.Web;

/// <summary>A replica's readiness waits for the facet index that pages and <c>/v1</c> filter through, as it waits for the search index.</summary>
public sealed class FacetReadinessTests
{
    [Fact]
    public async Task A_replica_is_ready_only_once_its_facet_index_is_loaded()
    {
        using var api = new ApiHost(new Dictionary<string, string?> { ["Services:Enrichment"] = "http://127.0.0.1:9" });
        var running = api.Services.GetRequiredService<FacetHydrator>();
        await running.Loaded.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HealthStatus.Healthy, (await new FacetIndexReadiness(running).CheckHealthAsync(new HealthCheckContext())).Status);

        // A hydrator that has not made its first pass: not ready.
        var loading = new FacetHydrator(api.Services.GetRequiredService<IServiceScopeFactory>(), new FacetIndex(), NullLogger<FacetHydrator>.Instance);
        var check = await new FacetIndexReadiness(loading).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, check.Status);
        Assert.Equal("The facet index is still loading.", check.Description);

        // And /health/ready reports it.
        using var client = api.CreateClient();
        using var ready = await client.GetAsync("/health/ready");
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("checks").GetProperty("facet-index").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
