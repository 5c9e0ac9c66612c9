using Papers.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests;

/// <summary>
/// Issue 3's fault scenarios: the four services as real processes over real RabbitMQ and
/// PostgreSQL; a process is killed with SIGKILL, or a server stopped, in the middle of a backfill
/// of real papers; afterwards every paper is in the Api exactly once, enriched once, and no
/// error queue holds anything.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FaultTests(ClusterInfrastructure infra, ITestOutputHelper output)
{
    private static int Papers => ClusterUnderTest.Papers;

    [Fact]
    public async Task Enrichment_killed_mid_backfill_loses_and_duplicates_nothing()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "killenrich");
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var backfill = cluster.StartBackfill();
            var progress = await cluster.WaitUntilPartWayAsync(p => p.Enrichments >= Papers / 3, "a third enriched");
            Assert.True(progress.Enrichments < Papers, $"Enrichment had finished ({progress}) before it could be killed");
            cluster.Kill("Enrichment");
            await cluster.RestartAsync("Enrichment");
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            await cluster.AssertEveryPaperOnceAsync(Papers);
        });
    }

    [Fact]
    public async Task Api_killed_mid_backfill_loses_and_duplicates_nothing()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "killapi");
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            // The backfill's own wait on the Api ends it with an unhandled HttpRequestException when
            // the Api is unreachable (see the report), so here it only publishes and the test waits.
            var backfill = cluster.StartBackfill(waitForApi: false);
            await cluster.WaitUntilPartWayAsync(p => p.Papers + p.Enrichments >= Papers * 2 / 3, "a third of the Api's work done");
            cluster.Kill("Api");
            await cluster.RestartAsync("Api");
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            await cluster.WaitForEnrichedAsync(Papers, TimeSpan.FromMinutes(4));
            await cluster.AssertEveryPaperOnceAsync(Papers);
        });
    }

    [Fact]
    public async Task Ingest_and_backfill_killed_with_unsent_events_lose_and_duplicate_nothing()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "killingest");
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var first = cluster.StartBackfill();
            // The moment the intake has committed its papers and their events to the outbox.
            var unsent = await Eventually.UntilAsync(
                () => cluster.CountAsync("Ingest", """SELECT count(*) FROM outbox_messages WHERE "SentAt" IS NULL"""),
                n => n > 0, TimeSpan.FromMinutes(2), "events in Ingest's outbox", TimeSpan.FromMilliseconds(20));
            first.Kill();
            cluster.Kill("Ingest");
            cluster.Log($"killed the backfill and Ingest with {unsent} events unsent");
            await cluster.RestartAsync("Ingest");
            // Run again: the papers are known (nothing new is recorded); the restarted relays send what was left.
            Assert.Equal(0, await cluster.FinishBackfillAsync(cluster.StartBackfill()));
            await cluster.AssertEveryPaperOnceAsync(Papers);
        });
    }

    [Fact]
    public async Task RabbitMq_down_for_20_seconds_mid_backfill_services_reconnect_and_lose_nothing()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "brokerdown");
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var backfill = cluster.StartBackfill();
            await cluster.WaitUntilPartWayAsync(p => p.Papers + p.Enrichments >= Papers / 2, "a quarter of the Api's work done");
            await infra.Broker.StopAsync();
            cluster.Log($"RabbitMQ stopped; {await cluster.ProgressAsync()}");
            await Task.Delay(TimeSpan.FromSeconds(20)); // the outage itself
            await infra.Broker.StartAsync();
            cluster.Log("RabbitMQ started again");
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            await cluster.AssertEveryPaperOnceAsync(Papers);
            foreach (var service in ClusterUnderTest.Services)
                Assert.False(cluster[service].HasExited, $"{service} exited");
        });
    }

    [Fact]
    public async Task PostgreSql_down_briefly_consumers_retry_and_nothing_reaches_an_error_queue()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "dbdown");
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            // The backfill's wait on the Api fails on the Api's 500s while the database is down (see the report).
            var backfill = cluster.StartBackfill(waitForApi: false);
            await cluster.WaitUntilPartWayAsync(p => p.Papers + p.Enrichments >= Papers / 2, "a quarter of the Api's work done");
            var before = await cluster.ProgressAsync();
            await infra.Database.StopAsync();
            cluster.Log($"PostgreSQL stopped; {before}");
            await Task.Delay(TimeSpan.FromSeconds(8)); // the outage itself
            await infra.Database.StartAsync();
            cluster.Log("PostgreSQL started again");
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            await cluster.WaitForEnrichedAsync(Papers, TimeSpan.FromMinutes(4));
            await cluster.AssertEveryPaperOnceAsync(Papers);
            foreach (var service in ClusterUnderTest.Services)
                Assert.False(cluster[service].HasExited, $"{service} exited");
        });
    }

    [Fact]
    public async Task A_malformed_message_ends_in_its_error_queue_and_the_pipeline_keeps_going()
    {
        const string poison = "{ this is not json";
        await using var cluster = new ClusterUnderTest(infra, output, "poison");
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var backfill = cluster.StartBackfill();
            await cluster.WaitUntilPartWayAsync(p => p.Papers >= Papers / 4, "a quarter of the papers in the Api");
            await cluster.Management.PublishToQueueAsync(cluster.Vhost, "index-paper", poison, "application/vnd.masstransit+json");
            cluster.Log("published a malformed message to index-paper");
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            await Eventually.UntilAsync(async () => (await cluster.ErrorQueuesAsync()).GetValueOrDefault("index-paper_error"),
                n => n >= 1, TimeSpan.FromSeconds(30), "the malformed message in index-paper_error");
            await cluster.AssertEveryPaperOnceAsync(Papers, new Dictionary<string, int> { ["index-paper_error"] = 1 });

            var faulted = Assert.Single(await cluster.Management.PeekAsync(cluster.Vhost, "index-paper_error"));
            Assert.Equal(poison, faulted.Payload);
            Assert.Contains("MT-Fault-ExceptionType", faulted.Headers.Keys);
            Assert.Contains("MT-Fault-Message", faulted.Headers.Keys);
            cluster.Log($"fault recorded: {faulted.Headers["MT-Fault-ExceptionType"]}: {faulted.Headers["MT-Fault-Message"]}");
        });
    }
}
