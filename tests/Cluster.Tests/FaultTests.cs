using Papers.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests;

/// <summary>
/// Issue 3's fault scenarios, with two replicas of every service (issue 11): the services as real
/// processes over real RabbitMQ and PostgreSQL; a replica is killed with SIGKILL, or a server
/// stopped, in the middle of a backfill of real papers; afterwards every paper is in the Api,
/// enriched, each of its events applied exactly once by the Api replicas together (counted from
/// their logs, duplicate deliveries reported), and no error queue holds anything.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FaultTests(ClusterInfrastructure infra, ITestOutputHelper output)
{
    public const int Replicas = 2;

    /// <summary>
    /// Fewer papers than the file holds: two replicas of four services share the CI machine's two
    /// cores, and the suite must stay within its time (see the report of issue 11).
    /// </summary>
    private static int Papers => ClusterUnderTest.PapersUpTo(400);

    [Fact]
    public async Task Enrichment_killed_mid_backfill_loses_and_duplicates_nothing()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "killenrich", Replicas);
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var backfill = cluster.StartBackfill(papers: Papers);
            var progress = await cluster.WaitUntilPartWayAsync(p => p.Enrichments >= Papers / 3, "a third enriched", Papers);
            Assert.True(progress.Enrichments < Papers, $"Enrichment had finished ({progress}) before it could be killed");
            // The first replica: the one the Api and Notifications also ask for query embeddings.
            cluster.Kill("Enrichment");
            await cluster.RestartAsync("Enrichment");
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            await cluster.AssertEveryPaperOnceAsync(Papers);
        });
    }

    [Fact]
    public async Task Api_killed_mid_backfill_loses_and_duplicates_nothing()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "killapi", Replicas);
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            // The backfill waits on the first Api replica; the second is killed under the load of
            // both queues, so what it had taken but not acknowledged goes to the first.
            var backfill = cluster.StartBackfill(papers: Papers);
            await cluster.WaitUntilPartWayAsync(p => p.Papers + p.Enrichments >= Papers * 2 / 3, "a third of the Api's work done", Papers);
            cluster.Kill("Api", 1);
            await cluster.RestartAsync("Api", 1);
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            await cluster.AssertEveryPaperOnceAsync(Papers);
        });
    }

    [Fact]
    public async Task Ingest_and_backfill_killed_with_unsent_events_lose_and_duplicate_nothing()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "killingest", Replicas);
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var first = cluster.StartBackfill(papers: Papers);
            // The moment the intake has committed its papers and their events to the outbox.
            var unsent = await Eventually.UntilAsync(
                () => cluster.CountAsync("Ingest", """SELECT count(*) FROM outbox_messages WHERE "SentAt" IS NULL"""),
                n => n > 0, TimeSpan.FromMinutes(2), "events in Ingest's outbox", TimeSpan.FromMilliseconds(20));
            // The backfill and every Ingest replica: no relay is left to send what was committed.
            first.Kill();
            for (var i = 0; i < cluster.Replicas("Ingest").Count; i++)
                cluster.Kill("Ingest", i);
            cluster.Log($"killed the backfill and Ingest with {unsent} events unsent");
            await Task.WhenAll(Enumerable.Range(0, cluster.Replicas("Ingest").Count).Select(i => cluster.RestartAsync("Ingest", i)));
            // Run again: the papers are known (nothing new is recorded); the restarted relays send what was left.
            Assert.Equal(0, await cluster.FinishBackfillAsync(cluster.StartBackfill(papers: Papers)));
            await cluster.AssertEveryPaperOnceAsync(Papers);
        });
    }

    [Fact]
    public async Task RabbitMq_down_for_20_seconds_mid_backfill_services_reconnect_and_lose_nothing()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "brokerdown", Replicas);
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var backfill = cluster.StartBackfill(papers: Papers);
            await cluster.WaitUntilPartWayAsync(p => p.Papers + p.Enrichments >= Papers / 2, "a quarter of the Api's work done", Papers);
            await infra.Broker.StopAsync();
            try
            {
                cluster.Log($"RabbitMQ stopped; {await cluster.ProgressAsync()}");
                await Task.Delay(TimeSpan.FromSeconds(20)); // the outage itself
            }
            finally
            {
                // Whatever happened, the shared broker runs again for the scenarios after this one.
                await infra.Broker.StartAsync();
                cluster.Log("RabbitMQ started again");
            }
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            await cluster.AssertEveryPaperOnceAsync(Papers);
            foreach (var service in ClusterUnderTest.Services)
                foreach (var replica in cluster.Replicas(service))
                    Assert.False(replica.HasExited, $"{Path.GetFileNameWithoutExtension(replica.LogPath)} exited");
        });
    }

    [Fact]
    public async Task PostgreSql_down_briefly_consumers_retry_and_nothing_reaches_an_error_queue()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "dbdown", Replicas);
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            // The backfill's wait on the Api fails on the Api's 500s while the database is down (see the report).
            var backfill = cluster.StartBackfill(waitForApi: false, papers: Papers);
            await cluster.WaitUntilPartWayAsync(p => p.Papers + p.Enrichments >= Papers / 2, "a quarter of the Api's work done", Papers);
            var before = await cluster.ProgressAsync();
            await infra.Database.StopAsync();
            try
            {
                cluster.Log($"PostgreSQL stopped; {before}");
                await Task.Delay(TimeSpan.FromSeconds(8)); // the outage itself
            }
            finally
            {
                await infra.Database.StartAsync();
                cluster.Log("PostgreSQL started again");
            }
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            await cluster.WaitForEnrichedAsync(Papers, TimeSpan.FromMinutes(4));
            await cluster.AssertEveryPaperOnceAsync(Papers);
            foreach (var service in ClusterUnderTest.Services)
                foreach (var replica in cluster.Replicas(service))
                    Assert.False(replica.HasExited, $"{Path.GetFileNameWithoutExtension(replica.LogPath)} exited");
        });
    }

    [Fact]
    public async Task A_malformed_message_ends_in_its_error_queue_and_a_duplicate_event_is_applied_once()
    {
        const string poison = "{ this is not json";
        await using var cluster = new ClusterUnderTest(infra, output, "poison", Replicas);
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var backfill = cluster.StartBackfill(papers: Papers);
            await cluster.WaitUntilPartWayAsync(p => p.Papers >= Papers / 4, "a quarter of the papers in the Api", Papers);
            await cluster.Management.PublishToQueueAsync(cluster.Vhost, "index-paper", poison, "application/vnd.masstransit+json");
            cluster.Log("published a malformed message to index-paper");
            // A redelivery on demand: an event the Api has already applied, sent again with its own message id.
            var (messageId, envelope) = await AppliedEventAgainAsync(cluster);
            await cluster.Management.PublishToQueueAsync(cluster.Vhost, "index-paper", envelope, "application/vnd.masstransit+json", messageId);
            cluster.Log($"published PaperIngested {messageId} to index-paper a second time");
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            await Eventually.UntilAsync(async () => (await cluster.ErrorQueuesAsync()).GetValueOrDefault("index-paper_error"),
                n => n >= 1, TimeSpan.FromSeconds(30), "the malformed message in index-paper_error");
            await Eventually.UntilAsync(() => Task.FromResult(cluster.ReadMessageLog().Received.Count(r => r.MessageId == messageId.ToString() && r.Queue == "index-paper")),
                n => n >= 2, TimeSpan.FromSeconds(30), $"message {messageId} received twice on index-paper");
            await cluster.AssertEveryPaperOnceAsync(Papers, new Dictionary<string, int> { ["index-paper_error"] = 1 });

            var faulted = Assert.Single(await cluster.Management.PeekAsync(cluster.Vhost, "index-paper_error"));
            Assert.Equal(poison, faulted.Payload);
            Assert.Contains("MT-Fault-ExceptionType", faulted.Headers.Keys);
            Assert.Contains("MT-Fault-Message", faulted.Headers.Keys);
            cluster.Log($"fault recorded: {faulted.Headers["MT-Fault-ExceptionType"]}: {faulted.Headers["MT-Fault-Message"]}");
        });
    }

    /// <summary>
    /// A <c>PaperIngested</c> the Api has applied, as MassTransit's envelope with the message id
    /// Ingest's outbox gave it: what the broker would deliver again after a lost acknowledgement.
    /// </summary>
    private static async Task<(Guid MessageId, string Envelope)> AppliedEventAgainAsync(ClusterUnderTest cluster)
    {
        var applied = await Eventually.UntilAsync(() => Task.FromResult(cluster.ReadMessageLog().AppliedPapers), a => a.Count > 0,
            TimeSpan.FromSeconds(30), "a PaperIngested applied by the Api");
        // The latest: its outbox row is seconds old, whatever clean-up of sent rows there is.
        var messageId = Guid.Parse(applied[^1].MessageId);
        var rows = await cluster.QueryAsync("Ingest", $"""SELECT "Body" FROM outbox_messages WHERE "MessageId" = '{messageId}'""", r => r.GetString(0));
        Assert.True(rows.Count == 1, $"Ingest's outbox has {rows.Count} row(s) for message {messageId}, applied by the Api moments ago: the scenario reads the event's body there");
        var row = rows[0];
        var envelope = new System.Text.Json.Nodes.JsonObject
        {
            ["messageId"] = messageId.ToString(),
            ["messageType"] = new System.Text.Json.Nodes.JsonArray("urn:message:Papers.Contracts:PaperIngested"),
            ["message"] = System.Text.Json.Nodes.JsonNode.Parse(row),
            ["sentTime"] = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["headers"] = new System.Text.Json.Nodes.JsonObject(),
        };
        return (messageId, envelope.ToJsonString());
    }
}
