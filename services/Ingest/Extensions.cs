using Papers.Ingest.Consumers;
using Papers.Ingest.Data;
using Papers.Ingest.Intake;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Ingest;

public static class Extensions
{
    /// <summary>Ingest: the intake every source goes through, file import, and submissions.</summary>
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        builder.AddIngestIntake();
        builder.Services.AddHostedService<StartupImport>();

        builder.AddConsumer<SubmitPaperConsumer, SubmitPaperConsumerDefinition>();
        return builder;
    }

    /// <summary>The intake and its database (with the outbox relay), without consumers: what <c>backfill</c> needs.</summary>
    public static IHostApplicationBuilder AddIngestIntake(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDbContext<IngestDbContext>("Ingest");
        builder.Services.AddScoped<PaperIntake>();
        builder.Services.AddScoped<FileImport>();
        return builder;
    }

    public static WebApplication MapIngest(this WebApplication app) => app;
}
