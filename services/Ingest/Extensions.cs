using MassTransit;
using Microsoft.Extensions.Options;
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
        builder.Services.AddHostedService<OaiDcHarvestSchedule>();
        builder.Services.AddHostedService<ArxivFeedSchedule>();

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
        builder.Services.AddScoped(sp => OaiJob<ArxivOaiOptions>(sp, sp.GetRequiredService<OaiPmhHarvester>()));
        builder.Services.AddKeyedScoped(OaiDcOptions.Section, (sp, key) => OaiJob<OaiDcOptions>(sp, sp.GetRequiredKeyedService<OaiPmhHarvester>(key)));
        builder.Services.AddScoped<ArxivFeedJob>();
        builder.Services.AddScoped<HfDailyJob>();
        return builder;
    }

    private static OaiHarvestJob OaiJob<T>(IServiceProvider sp, OaiPmhHarvester harvester) where T : OaiSourceOptions =>
        new(harvester, sp.GetRequiredService<HarvestIntake>(), sp.GetRequiredService<IngestDbContext>(), sp.GetRequiredService<IOptions<T>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OaiHarvestJob>>());

    public static WebApplication MapIngest(this WebApplication app)
    {
        app.MapIngestApi();
        return app;
    }
}
