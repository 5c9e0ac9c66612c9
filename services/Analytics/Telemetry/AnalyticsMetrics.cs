using System.Diagnostics.Metrics;
using Papers.Contracts;
using Papers.ServiceDefaults.Telemetry;

namespace Papers.Analytics.Telemetry;

/// <summary>
/// The headline numbers as OpenTelemetry counters, so an operator's dashboards show them without
/// the archive: events archived per type (papers ingested and enriched, views, upvotes, digests,
/// unsubscribes… are each a type), papers ingested per category, searches with and without
/// results, and what the archive refused (duplicates, days past retention, redacted values).
/// Counted once per archived event, after its file is committed.
/// </summary>
public static class AnalyticsMetrics
{
    private static readonly Counter<long> Archived = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.events.archived", "{event}", "Events written to the archive, by event_type.");
    private static readonly Counter<long> Duplicates = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.events.duplicate", "{event}", "Events dropped because their messageId was archived before.");
    private static readonly Counter<long> Expired = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.events.expired", "{event}", "Events dropped because their day is past the type's retention.");
    private static readonly Counter<long> Redacted = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.values.redacted", "{value}", "E-mail or IP addresses replaced before archiving.");
    private static readonly Counter<long> PapersIngested = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.papers.ingested", "{paper}", "PaperIngested events, by category.");
    private static readonly Counter<long> Searches = PapersTelemetry.Meter.CreateCounter<long>("papers.analytics.searches", "{search}", "Searches, by results (zero or some).");

    public static void Written(string eventType, IReadOnlyList<object> messages, int redacted)
    {
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
