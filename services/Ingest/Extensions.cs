using MassTransit;
using Papers.Ingest.Apis;
using Papers.Ingest.Consumers;
using Papers.Ingest.Data;
using Papers.Ingest.Harvest;
using Papers.Ingest.Intake;
using Papers.Ingest.Sources;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.Data;

namespace Papers.Ingest;

public static class Extensions
{
    /// <summary>Ingest: the intake every source goes through, file import, scheduled harvests, and submissions.</summary>
    public static ServiceModule AddIngest(this IHostApplicationBuilder builder)
    {
        builder.AddIngestIntake();
        builder.Services.AddHostedService<StartupImport>();
        builder.Services.AddHostedService<OaiHarvestSchedule>();
        builder.Services.AddHostedService<HfDailySchedule>();

        return builder.AddModule(new ServiceModule("Ingest", bus => bus.AddConsumer<SubmitPaperConsumer>()));
    }

    /// <summary>
    /// The intake and its database with its outbox relay, the source connectors and the harvest
    /// jobs, without consumers or schedules: what the <c>backfill</c> and <c>harvest</c> commands need.
    /// </summary>
    public static IHostApplicationBuilder AddIngestIntake(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDbContext<IngestDbContext>("Ingest");
        builder.AddOutbox<IngestDbContext>();
        builder.Services.AddScoped<PaperIntake>();
        builder.Services.AddScoped<FileImport>();

        builder.Services.AddIngestConnectors(builder.Configuration);
        builder.Services.AddScoped<HarvestIntake>();
        builder.Services.AddScoped<IHarvestCursorStore>(sp => sp.GetRequiredService<HarvestIntake>());
        builder.Services.AddScoped<IPaperSink>(sp => sp.GetRequiredService<HarvestIntake>());
        builder.Services.AddScoped<OaiHarvestJob>();
        builder.Services.AddScoped<HfDailyJob>();
        return builder;
    }

    public static WebApplication MapIngest(this WebApplication app)
    {
        app.MapIngestApi();
        return app;
    }
}
