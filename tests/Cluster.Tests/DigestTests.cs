using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Papers.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests;

/// <summary>
/// Issue 11's digest double-send: two Notifications replicas on one PostgreSQL, a digest run asked
/// of both at once. Each confirmed subscriber must get exactly one digest, counted twice: the
/// mails the SMTP sink received and the rows of Notifications' <c>deliveries</c>.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class DigestTests(ClusterInfrastructure infra, ITestOutputHelper output)
{
    private const int Subscribers = 30;

    /// <summary>What every subscriber follows: the first papers of the file are all cs.CV, so each digest has something.</summary>
    private static readonly string[] Topics = ["cs.CV", "computer vision", "image generation"];

    [Fact]
    public async Task Two_Notifications_replicas_running_digests_at_once_send_each_confirmed_subscriber_exactly_one_digest()
    {
        var papers = ClusterUnderTest.PapersUpTo(60);
        // Digests need Ingest and Enrichment for their papers; the Api plays no part.
        await using var cluster = new ClusterUnderTest(infra, output, "digests", 1, new Dictionary<string, int> { ["Notifications"] = 2, ["Api"] = 0 });
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var backfill = cluster.StartBackfill(waitForApi: false, papers: papers);
            var replicas = cluster.Replicas("Notifications").Select(r => new HttpClient { BaseAddress = r.BaseUri, Timeout = TimeSpan.FromSeconds(60) }).ToList();
            try
            {
                // Subscribers sign up and confirm through either replica, as a load balancer would spread them.
                var run = Guid.NewGuid().ToString("N")[..10];
                var addresses = Enumerable.Range(1, Subscribers).Select(i => $"reader{i}-{run}@example.org").ToList();
                await Task.WhenAll(addresses.Select(async (address, i) =>
                {
                    using var response = await replicas[i % 2].PostAsJsonAsync("api/subscriptions", new { email = address, topics = Topics });
                    Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                }));
                await Task.WhenAll(addresses.Select(async (address, i) =>
                {
                    var link = await Eventually.UntilAsync(() => Task.FromResult(cluster.Mail.To(address).Select(m => ConfirmLink().Match(m.TextBody ?? "")).FirstOrDefault(m => m.Success)),
                        m => m is not null, TimeSpan.FromSeconds(60), $"the confirmation mail to {address} in {cluster.Mail.Folder}", TimeSpan.FromMilliseconds(500));
                    using var confirm = await replicas[(i + 1) % 2].PostAsync(link!.Groups[1].Value, null);
                    Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
                }));
                Assert.Equal(Subscribers, await cluster.CountAsync("Notifications", """SELECT count(*) FROM subscribers WHERE "Active" AND "ConfirmedAt" IS NOT NULL"""));
                // A first digest waits for the subscriber's hour: as if they had confirmed two days ago, their latest period is due now.
                Assert.Equal(Subscribers, await cluster.CountAsync("Notifications",
                    """WITH moved AS (UPDATE subscribers SET "ConfirmedAt" = "ConfirmedAt" - interval '2 days' RETURNING 1) SELECT count(*) FROM moved"""));
                cluster.Log($"{Subscribers} subscribers confirmed");

                Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
                await Eventually.UntilAsync(() => cluster.CountAsync("Notifications",
                        """SELECT count(*) FROM candidate_papers WHERE "Title" IS NOT NULL AND "Embedding" IS NOT NULL AND "EnrichedHash" = "ContentHash" """),
                    n => n == papers, TimeSpan.FromMinutes(3), $"all {papers} papers ready for digests in Notifications");

                var key = await cluster.IssueAdminKeyAsync();
                foreach (var http in replicas)
                    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

                // Both replicas asked at once, twice: one run sends, the other is refused (409) or finds nothing due.
                for (var round = 1; round <= 2; round++)
                {
                    var answers = await Task.WhenAll(replicas.Select(async (http, i) =>
                    {
                        using var response = await http.PostAsync("api/digests/run", null);
                        return (Replica: ClusterUnderTest.ReplicaName("Notifications", i), response.StatusCode, Body: await response.Content.ReadAsStringAsync());
                    }));
                    cluster.Log($"digest run {round}, on both replicas at once: {string.Join(" | ", answers.Select(a => $"{a.Replica}: {(int)a.StatusCode} {a.Body}"))}");
                    Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{a.Replica}: {(int)a.StatusCode} {a.Body}"));
                    Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
                }

                // Counted where the mail went (the sink) and where Notifications recorded it.
                var digests = addresses.ToDictionary(a => a, a => cluster.Mail.To(a).Count(m => m.Subject?.StartsWith("Papers digest", StringComparison.Ordinal) == true));
                var deliveries = (await cluster.QueryAsync("Notifications",
                        """SELECT s."Email", count(d."Id") FROM subscribers s LEFT JOIN deliveries d ON d."SubscriberId" = s."Id" GROUP BY s."Email" """,
                        r => (Email: r.GetString(0), Count: r.GetInt64(1))))
                    .ToDictionary(r => r.Email, r => r.Count, StringComparer.OrdinalIgnoreCase);
                cluster.Log($"digests in the sink: {digests.Values.Sum()} for {Subscribers} subscribers ({string.Join(", ", digests.GroupBy(d => d.Value).OrderBy(g => g.Key).Select(g => $"{g.Count()} got {g.Key}"))}); " +
                    $"deliveries recorded: {deliveries.Values.Sum()}");
                var wrong = addresses.Where(a => digests[a] != 1 || deliveries.GetValueOrDefault(a) != 1).ToList();
                Assert.True(wrong.Count == 0, $"{wrong.Count} of {Subscribers} subscribers did not get exactly one digest, e.g. " +
                    string.Join(", ", wrong.Take(5).Select(a => $"{a}: {digests[a]} in the sink, {deliveries.GetValueOrDefault(a)} recorded")));
            }
            finally
            {
                foreach (var http in replicas)
                    http.Dispose();
            }
        });
    }

    [GeneratedRegex(@"https?://[^/\s]+(/api/subscriptions/confirm\?token=\S+)")]
    private static partial Regex ConfirmLink();
}
