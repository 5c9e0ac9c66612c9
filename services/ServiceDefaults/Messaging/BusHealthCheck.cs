using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Papers.ServiceDefaults.Messaging;

/// <summary>
/// Readiness of the bus: unhealthy unless every receive endpoint is connected. MassTransit's own
/// check reports a lost broker connection as <c>Degraded</c> ("Degraded Endpoints: …"), which the
/// health endpoint answers with 200, so without this <c>/health/ready</c> stayed green with
/// RabbitMQ down.
/// </summary>
internal sealed class BusReadinessHealthCheck(IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = bus.CheckHealth();
        return Task.FromResult(health.Status == BusHealthStatus.Healthy
            ? HealthCheckResult.Healthy(health.Description)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{health.Status}: {health.Description}", health.Exception));
    }
}
