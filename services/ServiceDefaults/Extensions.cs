using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.OpenApi;
using Papers.ServiceDefaults.Security;
using Papers.ServiceDefaults.Telemetry;

namespace Papers.ServiceDefaults;

public static class Extensions
{
    /// <summary>Tag of health checks that only matter for readiness (database; the broker, reported as Degraded).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Tag of the broker's check, served alone at <c>/health/broker</c>.</summary>
    public const string BrokerTag = "broker";

    /// <summary>
    /// What every service host gets: OpenTelemetry, health checks, problem details with stable codes and
    /// the OpenAPI document (<see cref="OpenApiDefaults"/>), access control
    /// (identities, rate limits, security headers: <see cref="AccessControlExtensions"/>) and
    /// resilient HTTP clients, and the check that the host is composed right. Messaging, data and
    /// the outbox are added by <c>AddMessaging</c>, <c>AddServiceDbContext</c> and <c>AddOutbox</c>,
    /// with the provider chosen from configuration.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        // First, so a wrongly composed host stops before anything else starts.
        builder.Services.AddHostedService<CompositionCheck>();
        builder.AddPapersTelemetry();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddAccessControl();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context => Problems.AddCode(context.ProblemDetails));
        builder.AddOpenApiDocument();
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        return builder;
    }

    /// <summary>Registers a service composed into this host; hand the returned module to <c>AddMessaging</c>.</summary>
    public static ServiceModule AddModule(this IHostApplicationBuilder builder, ServiceModule module)
    {
        builder.Services.AddSingleton(module);
        return module;
    }

    /// <summary>
    /// The request pipeline every service shares (errors as problem details, access control), and
    /// health endpoints in every environment: <c>/alive</c> (the process answers),
    /// <c>/health/ready</c> (the database reachable; a broker outage shows as Degraded but answers
    /// 200, since every service serves its requests without the broker), which Helm probes use, and
    /// <c>/health/broker</c> (503 while the broker is unreachable), for monitoring.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAccessControl();
        app.MapOpenApiDocument();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = WriteHealth });
        app.MapHealthChecks("/health/broker", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(BrokerTag),
            ResponseWriter = WriteHealth,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live"), ResponseWriter = WriteHealth });
        return app;
    }

    private static Task WriteHealth(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description ?? e.Value.Exception?.Message }),
        });
}
