using System.Diagnostics.Metrics;
using Papers.Ingest.Data;
using Papers.Ingest.Harvest;
using Papers.Ingest.Tests.Sources;
using Papers.ServiceDefaults.Telemetry;
using Papers.TestSupport;

namespace Papers.Ingest.Tests.Harvest;

/// <summary>The harvest lag gauge and error counter, read with a <see cref="MeterListener"/>.</summary>
public sealed class HarvestMetricsTests : IDisposable
{
    private readonly SqliteTestDatabase<IngestDbContext> _database = new();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public HarvestMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PapersTelemetry.Name && instrument.Name.StartsWith("papers.ingest.harvest.", StringComparison.Ordinal))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_measurements)
            _measurements.Add((instrument.Name, value, new Dictionary<string, object?>(tags.ToArray())));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _database.Dispose();
    }

    [Fact]
    public async Task A_harvest_publishes_its_lag_and_a_failed_one_counts_an_error_by_kind()
    {
        const string Set = "metrics:test";
        var key = OaiPmhHarvester.CursorKey("arXivRaw", Set);
        await using var server = await ReplayServer.StartAsync((context, request) => request["set"] == Set
            ? ReplayServer.Xml(context, OaiXml.Page(["2401.00001"], datestamp: "2024-01-09"))
            : ReplayServer.Xml(context, "<html>maintenance</html>"));

        await using (var db = _database.Context())
            await new HarvestRig(db, server, [Set, "broken"]).Job().RunScheduledAsync(CancellationToken.None);
        _listener.RecordObservableInstruments();

        List<(string Instrument, double Value, Dictionary<string, object?> Tags)> seen;
        lock (_measurements)
            seen = [.. _measurements];
        var lag = seen.Single(m => m.Instrument == "papers.ingest.harvest.lag" && (string?)m.Tags["source"] == key);
        Assert.True(lag.Value >= (DateTimeOffset.UtcNow - new DateTimeOffset(2024, 1, 9, 0, 0, 0, TimeSpan.Zero)).TotalSeconds - 60);
        var error = seen.Single(m => m.Instrument == "papers.ingest.harvest.errors" && (string?)m.Tags["source"] == OaiPmhHarvester.CursorKey("arXivRaw", "broken"));
        Assert.Equal(("format", 1d), ((string?)error.Tags["kind"], error.Value));
    }
}
