using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

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

        Assert.Equal(2, counted.GetValueOrDefault("papers.analytics.papers.ingested"));
    }
}
