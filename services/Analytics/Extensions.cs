using MassTransit;
using Papers.Analytics.Apis;
using Papers.Analytics.Archive;
using Papers.Analytics.Consumers;
using Papers.Analytics.Data;
using Papers.Analytics.Queries;
using Papers.Analytics.Replay;
using Papers.Contracts;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.Data;

namespace Papers.Analytics;

public static class Extensions
{
    /// <summary>
    /// Analytics: a consumer per public event type (every message record of Papers.Contracts,
    /// found in the assembly) appending to the Parquet archive, its maintenance (recovery,
    /// retention, compaction), the ready queries and replay.
    /// </summary>
    public static ServiceModule AddAnalytics(this IHostApplicationBuilder builder)
    {
        var types = builder.AddAnalyticsArchive();
        builder.Services.AddScoped<ArchiveAppender>();
        builder.Services.AddSingleton<ArchiveBuffer>();
        builder.Services.AddSingleton<ArchiveRecovery>();
        builder.Services.AddSingleton<ArchiveCompaction>();
        builder.Services.AddSingleton<ArchiveRetention>();
        builder.Services.AddHostedService<ArchiveMaintenance>();
        builder.Services.AddSingleton<ReadyQueries>();

        return builder.AddModule(new ServiceModule("Analytics", bus =>
        {
            // Every consumer named here, as in other services; only the list comes from the contracts.
            foreach (var schema in types.All)
                bus.AddConsumer(typeof(ArchiveEventsConsumer<>).MakeGenericType(schema.Type), typeof(ArchiveEventsConsumerDefinition<>).MakeGenericType(schema.Type));
        }));
    }

    /// <summary>
    /// The archive as its readers need it (the database, the options, the types, the queries and
    /// replay), with no consumers and no maintenance: all the <c>replay</c> command runs.
    /// </summary>
    public static ArchivedTypes AddAnalyticsArchive(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDbContext<AnalyticsDbContext>("Analytics");
        var options = builder.Configuration.GetSection(ArchiveOptions.Section).Get<ArchiveOptions>() ?? new ArchiveOptions();
        var types = new ArchivedTypes(typeof(PaperIngested).Assembly, options.DropFields);
        Validate(options, types);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(types);
        builder.Services.AddSingleton<ArchiveQueries>();
        builder.Services.AddSingleton<ArchiveReplay>();
        return types;
    }

    public static WebApplication MapAnalytics(this WebApplication app)
    {
        app.MapAnalyticsApi();
        return app;
    }

    private static void Validate(ArchiveOptions options, ArchivedTypes types)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Root))
            problems.Add("Analytics:Root must name a folder.");
        if (options.BatchSize is < 1 or > 100_000)
            problems.Add($"Analytics:BatchSize must be between 1 and 100000 (it is {options.BatchSize}).");
        if (options.FlushAfter <= TimeSpan.Zero)
            problems.Add($"Analytics:FlushAfter must be a positive time span such as 00:00:05 (it is {options.FlushAfter}).");
        if (options.ConcurrentBatches is < 1 or > 16)
            problems.Add($"Analytics:ConcurrentBatches must be between 1 and 16 (it is {options.ConcurrentBatches}).");
        if (options.CompactAfter < TimeSpan.Zero)
            problems.Add($"Analytics:CompactAfter must be a time span of zero or more such as 01:00:00 (it is {options.CompactAfter}).");
        if (options.CompactDaysPerPass < 0)
            problems.Add($"Analytics:CompactDaysPerPass must be 0 (no compaction) or more (it is {options.CompactDaysPerPass}).");
        if (options.RetentionDays < 1)
            problems.Add($"Analytics:RetentionDays must be at least 1 (it is {options.RetentionDays}).");
        foreach (var (type, days) in options.RetentionDaysByType)
        {
            if (types.Find(type) is null)
                problems.Add($"Analytics:RetentionDaysByType names '{type}', which is no archived event type ({string.Join(", ", types.All.Select(t => t.Name))}).");
            else if (days < 1)
                problems.Add($"Analytics:RetentionDaysByType:{type} must be at least 1 (it is {days}).");
        }
        if (problems.Count > 0)
            throw new InvalidOperationException(string.Join(" ", problems));
    }
}
