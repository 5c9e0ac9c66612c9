using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Papers.ServiceDefaults.Messaging;

/// <summary>
/// The bus: healthy only while every receive endpoint is connected, else the registration's
/// failure status with MassTransit's description. (MassTransit's own check calls a lost broker
/// connection merely Degraded; this one reports the failure status it is registered with:
/// Degraded under <c>/health/ready</c>, which <c>/health/broker</c> answers with 503.)
/// </summary>
internal sealed class BusHealthCheck(IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = bus.CheckHealth();
        return Task.FromResult(health.Status == BusHealthStatus.Healthy
            ? HealthCheckResult.Healthy(health.Description)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{health.Status}: {health.Description}", health.Exception));
    }
}
