using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Papers.Ingest.Parsing;
using Papers.Ingest.Sources;
using Papers.ServiceDefaults.Telemetry;

namespace Papers.Ingest.Harvest;

/// <summary>
/// Harvest metrics on the platform meter: <c>papers.ingest.harvest.lag</c> (seconds from the newest
/// harvested datestamp to now, per source) and <c>papers.ingest.harvest.errors</c> (per source and
/// kind). Papers handed on per source are counted by <c>PaperIntake</c> (<c>papers.ingest.papers</c>).
/// </summary>
public static class HarvestMetrics
{
    private static readonly ConcurrentDictionary<string, DateOnly> Latest = new();

    private static readonly Counter<long> Errors = PapersTelemetry.Meter.CreateCounter<long>(
        "papers.ingest.harvest.errors", description: "Harvest runs that failed, by source and kind");

    static HarvestMetrics() =>
        PapersTelemetry.Meter.CreateObservableGauge("papers.ingest.harvest.lag", ObserveLag, unit: "s",
            description: "Time from the newest harvested record datestamp to now, by source");

    /// <summary>Remembers a saved cursor's newest datestamp for the lag gauge.</summary>
    public static void Observe(HarvestCursor cursor)
    {
        if (cursor.LatestDatestamp is { } stamp)
            Latest.AddOrUpdate(cursor.Source, stamp, (_, old) => stamp > old ? stamp : old);
    }

    /// <summary>Seconds from the start (UTC) of <paramref name="datestamp"/>'s day to <paramref name="now"/>.</summary>
    public static double LagSeconds(DateOnly datestamp, DateTimeOffset now) =>
        Math.Max(0, (now - new DateTimeOffset(datestamp.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)).TotalSeconds);

    public static void Failed(string source, Exception error) =>
        Errors.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("kind", KindOf(error)));

    /// <summary>A short, bounded label for what went wrong.</summary>
    public static string KindOf(Exception error) => error switch
    {
        OaiPmhException => "oai-error",
        ArxivApiException => "api-error",
        ConnectorHttpException => "http",
        ConnectorFormatException => "format",
        HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException => "network",
        Microsoft.EntityFrameworkCore.DbUpdateException => "database",
        _ => "other",
    };

    private static IEnumerable<Measurement<double>> ObserveLag()
    {
        var now = DateTimeOffset.UtcNow;
        return Latest.Select(s => new Measurement<double>(LagSeconds(s.Value, now), new KeyValuePair<string, object?>("source", s.Key)));
    }
}
