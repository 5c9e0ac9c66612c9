using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace Papers.EndToEnd.Tests;

/// <summary>OpenTelemetry context crosses the bus and the outboxes: one submission, one trace through every service.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class TracingTests(LocalHostFixture host)
{
    [Fact]
    public async Task One_approved_submission_is_one_trace_through_api_ingest_enrichment_and_back()
    {
        using var admin = await host.KeyClientAsync();
        var title = $"Tracing probe {Guid.NewGuid():N}";
        var response = await admin.PostAsJsonAsync("/api/papers/submit", new { title, summary = "A paper about distributed tracing of message pipelines." });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<Submission>())!.SubmissionId;
        (await admin.PostAsync($"/api/admin/submissions/{id}/approve", null)).EnsureSuccessStatusCode();

        // The approval sends the paper on: its request starts the trace.
        // The server span ends after the response reached the client: wait for it.
        var approve = await Eventually.UntilAsync(() => Task.FromResult(host.Spans.Snapshot().SingleOrDefault(s => s.Kind == ActivityKind.Server
            && (s.GetTagItem("url.path") as string)?.EndsWith($"{id}/approve", StringComparison.Ordinal) == true && s.Duration > TimeSpan.Zero)),
            s => s is not null, TimeSpan.FromSeconds(10), "the approval's server span");
        var traceId = approve!.TraceId;
        // Consumer spans are named after queues: Ingest, Enrichment, the Api (twice) and Notifications.
        string[] expected = ["submit-paper", "enrich-paper", "index-paper", "index-enrichment", "collect-digest-candidate"];
        IReadOnlyList<Activity> trace = [];
        await Eventually.UntilAsync(() =>
        {
            trace = host.Spans.Snapshot().Where(s => s.TraceId == traceId).ToList();
            return Task.FromResult(expected.All(q => trace.Any(s => s.Kind == ActivityKind.Consumer && s.DisplayName.StartsWith(q + " ", StringComparison.Ordinal))));
        }, TimeSpan.FromMinutes(1), "consumer spans of every service in the submission's trace");

        // Both outboxes (the Api's SubmitPaper, Ingest's PaperIngested) carried the context across.
        Assert.Equal(2, trace.Count(s => s.DisplayName == "outbox relay"));
        Assert.Contains(trace, s => s.Kind == ActivityKind.Producer && s.DisplayName.Contains("PaperEnriched", StringComparison.Ordinal));

    }

    private sealed record Submission(Guid SubmissionId);
}
