using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Papers.TestSupport;

namespace Papers.Analytics.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task The_headline_counters_count_what_was_archived_and_not_what_was_dropped()
    {
        // Other tests archive at the same time: only this test's own category is counted exactly.
        var category = $"test.{Guid.NewGuid():N}";
        var counted = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name.StartsWith("papers.analytics.", StringComparison.Ordinal))
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "category" && Equals(tag.Value, category))
                    counted.AddOrUpdate(instrument.Name, value, (_, n) => n + value);
        });
        listener.Start();
        await using var rig = await ArchiveRig.CreateAsync();
        var id = Guid.NewGuid();

        await rig.AppendAsync((id, Events.Ingested("2401.00001", category, ArchiveRig.Now)), (Guid.NewGuid(), Events.Ingested("2401.00002", category, ArchiveRig.Now)));
        await rig.AppendAsync((id, Events.Ingested("2401.00001", category, ArchiveRig.Now)));
        await rig.AppendAsync((Guid.NewGuid(), Events.Ingested("2401.00003", category, ArchiveRig.Now.AddYears(-3))));

        await rig.AppendAsync(Events.Enriched("2401.00001", ArchiveRig.Now) with { PredictedPrimaryCategory = category });

        Assert.Equal(2, counted.GetValueOrDefault("papers.analytics.papers.ingested"));
        Assert.Equal(1, counted.GetValueOrDefault("papers.analytics.papers.enriched"));
    }

    [Fact]
    public Task Enrichment_lag_is_recorded_once_per_version_whichever_event_is_archived_first() =>
        EnrichmentLagOnceAsync(() => ArchiveRig.CreateAsync(), 4321.25, 777.5);

    [PostgresFact]
    public Task Enrichment_lag_is_recorded_once_per_version_on_postgres_too() =>
        EnrichmentLagOnceAsync(ArchiveRig.CreateOnPostgresAsync, 4322.25, 778.5);

    [Fact]
    public Task Enrichment_lags_of_a_whole_batch_are_paired_in_one_go() =>
        BatchLagsAsync(() => ArchiveRig.CreateAsync(), 5001.5);

    [PostgresFact]
    public Task Enrichment_lags_of_a_whole_batch_are_paired_in_one_go_on_postgres_too() =>
        BatchLagsAsync(ArchiveRig.CreateOnPostgresAsync, 6001.5);

    private static async Task BatchLagsAsync(Func<Task<ArchiveRig>> createRig, double first)
    {
        // Lags of their own (other tests archive at the same time): first, first + 1, … for 1,500
        // papers, more than one statement's chunk.
        const int papers = 1500;
        var lags = new ConcurrentBag<double>();
        using var listener = LagListener(value => value >= first && value < first + papers, lags);
        await using var rig = await createRig();
        var at = ArchiveRig.Now.AddHours(-6);
        static string Id(int i) => $"2402.{i:D5}";

        // One batch of ingestions, a version repeated later in it (its first ingestion counts), and
        // one batch of the enrichments, in another order.
        await rig.AppendAsync([.. Enumerable.Range(0, papers).Select(i => Events.Ingested(Id(i), "cs.LG", at)), Events.Ingested(Id(7), "cs.LG", at.AddSeconds(100))]);
        await rig.AppendAsync([.. Enumerable.Range(0, papers).Reverse().Select(i => Events.Enriched(Id(i), at.AddSeconds(first + i)))]);

        Assert.Equal(Enumerable.Range(0, papers).Select(i => first + i), lags.Order());
    }

    private static MeterListener LagListener(Func<double, bool> ours, ConcurrentBag<double> lags)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "papers.analytics.enrichment.lag")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            if (ours(value))
                lags.Add(value);
        });
        listener.Start();
        return listener;
    }

    private static async Task EnrichmentLagOnceAsync(Func<Task<ArchiveRig>> createRig, double inOrder, double enrichedFirst)
    {
        // Lags no other test produces: other tests archive at the same time.
        var lags = new ConcurrentBag<double>();
        using var listener = LagListener(value => value == inOrder || value == enrichedFirst, lags);
        await using var rig = await createRig();
        var at = ArchiveRig.Now.AddHours(-5);
        var enrichment = Guid.NewGuid();

        await rig.AppendAsync(Events.Ingested("2401.00001", "cs.LG", at));
        await rig.AppendAsync((enrichment, Events.Enriched("2401.00001", at.AddSeconds(inOrder))));
        // The enrichment of another paper archived before its ingestion (the events travel separately).
        await rig.AppendAsync(Events.Enriched("2401.00002", at.AddSeconds(enrichedFirst)));
        await rig.AppendAsync(Events.Ingested("2401.00002", "cs.LG", at));
        // A redelivery, a re-enrichment of the same content by a new model, and a repeated ingestion: no lag again.
        await rig.AppendAsync((enrichment, Events.Enriched("2401.00001", at.AddSeconds(inOrder))));
        await rig.AppendAsync(Events.Enriched("2401.00001", at.AddSeconds(inOrder + 60), model: "e5"));
        await rig.AppendAsync(Events.Ingested("2401.00002", "cs.LG", at.AddSeconds(10)));

        Assert.Equal([enrichedFirst, inOrder], lags.Order());
    }
}
