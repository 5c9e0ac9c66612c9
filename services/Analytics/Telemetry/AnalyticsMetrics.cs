using System.Diagnostics.Metrics;
using Papers.Contracts;
using Papers.ServiceDefaults.Telemetry;

namespace Papers.Analytics.Telemetry;

/// <summary>
/// The headline numbers as OpenTelemetry counters, so an operator's dashboards show them without
/// the archive: events archived per type (papers ingested and enriched, views, upvotes, digests,
/// unsubscribes… are each a type), papers ingested per category (and enriched, per predicted one), searches with and without
/// results, the enrichment lag as a histogram (p50/p95 in Grafana:
/// <c>histogram_quantile(0.95, sum by (le) (rate(papers_analytics_enrichment_lag_seconds_bucket[1h])))</c>),
/// and what the archive refused (duplicates, days past retention, redacted values). Counted once
/// per archived event, after its file is committed.
/// </summary>
public static class AnalyticsMetrics
{
    private static readonly Counter<long> Archived = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.events.archived", "{event}", "Events written to the archive, by event_type.");
    private static readonly Counter<long> Duplicates = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.events.duplicate", "{event}", "Events dropped because their messageId was archived before.");
    private static readonly Counter<long> Expired = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.events.expired", "{event}", "Events dropped because their day is past the type's retention.");
    private static readonly Counter<long> Redacted = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.values.redacted", "{value}", "E-mail or IP addresses replaced before archiving.");
    private static readonly Counter<long> PapersIngested = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.papers.ingested", "{paper}", "PaperIngested events, by category.");
    private static readonly Counter<long> PapersEnriched = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.papers.enriched", "{paper}", "PaperEnriched events, by the category the tagger predicted.");
    private static readonly Counter<long> Searches = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.searches", "{search}", "Searches, by results (zero or some).");

    /// <summary>Buckets from seconds (a backlog-free pipeline) to a day (a stalled one).</summary>
    private static readonly Histogram<double> EnrichmentLag = PapersTelemetry.Meter.CreateHistogram<double>("papers.analytics.enrichment.lag", "s",
        "Seconds from a paper version's first ingestion to its first enrichment, once per version.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400] });

    public static void Written(string eventType, IReadOnlyList<object> messages, int redacted, IReadOnlyList<double> enrichmentLags)
    {
        foreach (var lag in enrichmentLags)
            EnrichmentLag.Record(lag);
        Archived.Add(messages.Count, new KeyValuePair<string, object?>("event_type", eventType));
        if (redacted > 0)
            Redacted.Add(redacted, new KeyValuePair<string, object?>("event_type", eventType));
        foreach (var message in messages)
        {
            switch (message)
            {
                case PaperIngested paper:
                    PapersIngested.Add(1, new KeyValuePair<string, object?>("category", paper.PrimaryCategory ?? "none"));
                    break;
                case PaperEnriched paper:
                    PapersEnriched.Add(1, new KeyValuePair<string, object?>("category", paper.PredictedPrimaryCategory ?? "none"));
                    break;
                case SearchPerformed search:
                    Searches.Add(1, new KeyValuePair<string, object?>("results", search.ResultCount == 0 ? "zero" : "some"));
                    break;
            }
        }
    }

    public static void Dropped(string eventType, int duplicates, int expired)
    {
        if (duplicates > 0)
            Duplicates.Add(duplicates, new KeyValuePair<string, object?>("event_type", eventType));
        if (expired > 0)
            Expired.Add(expired, new KeyValuePair<string, object?>("event_type", eventType));
    }
}
