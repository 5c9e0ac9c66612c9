using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Papers.Ingest.Data;
using Papers.Ingest.Harvest;
using Papers.Ingest.Sources;
using Papers.ServiceDefaults.Leases;

namespace Papers.Ingest.Tests.Harvest;

/// <summary>Which scheduled harvests run: a source is on only with both a BaseUrl and a Cron.</summary>
public sealed class HarvestScheduleTests
{
    private static (OaiHarvestSchedule Oai, HfDailySchedule Hf) Schedules(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIngestConnectors(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var provider = services.BuildServiceProvider();
        var scopes = provider.GetRequiredService<IServiceScopeFactory>();
        var lease = new ClusterLease<IngestDbContext>(scopes, LeaseLocks.InProcess(), TimeProvider.System, NullLogger<ClusterLease<IngestDbContext>>.Instance);
        return (
            new OaiHarvestSchedule(scopes, lease, provider.GetRequiredService<IOptions<ArxivOaiOptions>>(), TimeProvider.System, NullLogger<OaiHarvestSchedule>.Instance),
            new HfDailySchedule(scopes, lease, provider.GetRequiredService<IOptions<HfDailyOptions>>(), TimeProvider.System, NullLogger<HfDailySchedule>.Instance));
    }

    [Fact]
    public async Task Every_source_is_off_by_default_so_the_embedded_default_calls_nothing()
    {
        var (oai, hf) = Schedules([]);

        Assert.Null(oai.Schedule);
        Assert.Null(hf.Schedule);
        await oai.StartAsync(CancellationToken.None);
        await oai.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10)); // returns by itself: nothing scheduled
        await oai.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void A_source_with_a_cron_and_a_base_url_is_on_and_runs_at_the_next_occurrence()
    {
        var (oai, hf) = Schedules(new()
        {
            ["Sources:ArxivOai:Cron"] = "0 6 * * *",
            ["Sources:HfDaily:Cron"] = "30 23 * * *",
        });

        var now = new DateTimeOffset(2026, 6, 12, 7, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 6, 13, 6, 0, 0, TimeSpan.Zero), oai.NextRun(now));
        Assert.Equal(new DateTimeOffset(2026, 6, 12, 23, 30, 0, TimeSpan.Zero), hf.NextRun(now));
    }

    [Fact]
    public void An_empty_base_url_turns_a_scheduled_source_off()
    {
        var (oai, hf) = Schedules(new()
        {
            ["Sources:ArxivOai:BaseUrl"] = "",
            ["Sources:ArxivOai:Cron"] = "0 6 * * *",
            ["Sources:HfDaily:BaseUrl"] = "https://hf.example/api/daily_papers",
            ["Sources:HfDaily:Cron"] = " ",
        });

        Assert.Null(oai.Schedule);
        Assert.Null(hf.Schedule);
    }

    [Theory]
    [InlineData(null, "0 6 * * *", false)]
    [InlineData("https://oai.example/oai", "", false)]
    [InlineData("https://oai.example/oai", "0 6 * * *", true)]
    public void ScheduleOf_needs_both(string? baseUrl, string cron, bool on) =>
        Assert.Equal(on, ScheduledHarvest.ScheduleOf(baseUrl is null ? null : new Uri(baseUrl), cron) is not null);
}
