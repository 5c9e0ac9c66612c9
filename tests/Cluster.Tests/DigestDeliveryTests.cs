using MimeKit;
using Npgsql;
using Papers.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests;

/// <summary>
/// Issue 13's delivery guarantees with real Notifications processes on PostgreSQL, sending to the
/// SMTP sink: a process killed (SIGKILL) in the middle of a digest run and restarted leaves every
/// subscriber exactly one distinct Message-ID for the period, with extra copies only for the
/// digests in flight at the kill (counted and printed); three replicas whose schedules all fire
/// send each subscriber exactly one message. Only Notifications runs: papers and subscribers are
/// written to its database as its consumers and the confirm link would write them.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DigestDeliveryTests(ClusterInfrastructure infra, ITestOutputHelper output)
{
    private static readonly Dictionary<string, int> OnlyNotifications = new() { ["Enrichment"] = 0, ["Api"] = 0, ["Ingest"] = 0 };

    [Fact]
    public async Task A_digest_run_killed_midway_and_restarted_sends_each_subscriber_one_message_id()
    {
        const int subscribers = 400;
        await using var cluster = new ClusterUnderTest(infra, output, "digestcrash", 1, OnlyNotifications);
        // One SMTP connection: the run takes long enough to be killed in the middle, and at most one message is in flight.
        cluster.Settings["Mail__Connections"] = "1";
        cluster.Settings["Digests__WakeEvery"] = "00:00:01";
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var addresses = await SeedAsync(cluster, "crash", subscribers);
            var sentAtKill = await Eventually.UntilAsync(() => SentAsync(cluster), n => n >= subscribers / 4, TimeSpan.FromSeconds(90),
                $"a quarter of {subscribers} digests sent", TimeSpan.FromMilliseconds(20));
            cluster.Kill("Notifications");
            var states = await StatesAsync(cluster);
            cluster.Log($"at the kill: {string.Join(", ", states.Select(s => $"{s.Key} {s.Value}"))}");
            Assert.True(states.GetValueOrDefault("Sent") < subscribers, $"the run had finished before the kill ({sentAtKill} sent)");
            var inFlight = states.GetValueOrDefault("Sending");

            await cluster.RestartAsync("Notifications");
            await Eventually.UntilAsync(() => SentAsync(cluster), n => n == subscribers, TimeSpan.FromSeconds(90), $"all {subscribers} digests sent after the restart");

            var (distinct, copies) = await CountInSinkAsync(cluster, addresses, subscribers);
            var extra = copies - distinct;
            cluster.Log($"sink: {copies} digests for {subscribers} subscribers, {distinct} distinct Message-IDs; extra copies {extra} " +
                $"(digests in flight at the kill: {inFlight} sending)");
            Assert.Equal(subscribers, distinct);
            Assert.InRange(extra, 0, inFlight);
        });
    }

    [Fact]
    public async Task Three_replicas_whose_schedules_all_fire_send_each_subscriber_one_message()
    {
        const int subscribers = 150;
        await using var cluster = new ClusterUnderTest(infra, output, "digestreplicas", 1, new Dictionary<string, int>(OnlyNotifications) { ["Notifications"] = 3 });
        cluster.Settings["Digests__WakeEvery"] = "00:00:01";
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var addresses = await SeedAsync(cluster, "replicas", subscribers);
            await Eventually.UntilAsync(() => SentAsync(cluster), n => n == subscribers, TimeSpan.FromSeconds(90), $"all {subscribers} digests sent");
            // A few more wakes of every replica: nothing more may go out.
            await Task.Delay(TimeSpan.FromSeconds(3));

            var (distinct, copies) = await CountInSinkAsync(cluster, addresses, subscribers);
            cluster.Log($"sink: {copies} digests for {subscribers} subscribers, {distinct} distinct Message-IDs");
            Assert.Equal((subscribers, subscribers), (distinct, copies));
            Assert.Equal(subscribers, await cluster.CountAsync("Notifications", """SELECT count(*) FROM deliveries WHERE "State" = 'Sent'"""));
        });
    }

    /// <summary>
    /// Ten papers of cs.LG and the confirmed subscribers following it, written in one transaction so
    /// a wake sees all or none; every subscriber's current period (daily, 07:00 UTC) is due at once
    /// (they confirmed two days ago, so that period is theirs: a period due before confirming is not).
    /// </summary>
    private static async Task<List<string>> SeedAsync(ClusterUnderTest cluster, string name, int subscribers)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        await using var connection = new NpgsqlConnection(cluster.ConnectionString("Notifications") + ";Pooling=false");
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var papers = new NpgsqlCommand("""
            INSERT INTO candidate_papers ("PaperId", "Version", "Title", "Abstract", "Authors", "ContentHash", "Embedding", "EmbeddingModel", "EnrichedHash",
                "EnrichedVersion", "Tags", "Keywords", "ArrivedAt", "Revision", "Upvotes")
            SELECT '2611.' || lpad(g::text, 5, '0'), 1, 'Learning paper ' || g, 'An abstract.', '["Ada Lovelace"]', 'h', '\x0000803f'::bytea, 'test/onnx@1', 'h',
                1, '[{"Topic":"cs.LG","Name":"Machine Learning","Score":0.9}]', '[]', now() - interval '1 hour', 1, g
            FROM generate_series(1, 10) g
            """, connection, transaction))
            await papers.ExecuteNonQueryAsync();
        await using (var people = new NpgsqlCommand("""
            INSERT INTO subscribers ("Id", "Email", "Topics", "TopicDefinitions", "UnsubscribeToken", "CreatedAt", "Active", "ConfirmedAt", "LastDigestAt")
            SELECT gen_random_uuid(), @name || g || '-' || @run || '@example.org', '["cs.LG"]', '[]', md5(random()::text), now(), true, now() - interval '2 days', '0001-01-01 00:00:00+00'
            FROM generate_series(1, @count) g
            """, connection, transaction))
        {
            people.Parameters.AddWithValue("name", name);
            people.Parameters.AddWithValue("run", run);
            people.Parameters.AddWithValue("count", subscribers);
            await people.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        cluster.Log($"{subscribers} confirmed subscribers and 10 papers written");
        return [.. Enumerable.Range(1, subscribers).Select(i => $"{name}{i}-{run}@example.org")];
    }

    private static Task<long> SentAsync(ClusterUnderTest cluster) =>
        cluster.CountAsync("Notifications", """SELECT count(*) FROM deliveries WHERE "State" = 'Sent'""");

    private static async Task<Dictionary<string, long>> StatesAsync(ClusterUnderTest cluster) =>
        (await cluster.QueryAsync("Notifications", """SELECT "State", count(*) FROM deliveries GROUP BY "State" """, r => (r.GetString(0), r.GetInt64(1))))
        .ToDictionary(s => s.Item1, s => s.Item2);

    /// <summary>The digests to <paramref name="addresses"/> in the sink (waiting for the last files to land): distinct Message-IDs, and all copies.</summary>
    private static async Task<(int Distinct, int Copies)> CountInSinkAsync(ClusterUnderTest cluster, List<string> addresses, int subscribers)
    {
        var ours = addresses.ToHashSet(StringComparer.OrdinalIgnoreCase);
        List<MimeMessage> Digests() => [.. cluster.Mail.All().Where(m => m.To.Mailboxes.Any(a => ours.Contains(a.Address)))];
        var digests = await Eventually.UntilAsync(() => Task.FromResult(Digests()), d => d.Select(m => m.MessageId).Distinct().Count() >= subscribers,
            TimeSpan.FromSeconds(30), $"the {subscribers} digests in {cluster.Mail.Folder}", TimeSpan.FromMilliseconds(200));
        var perSubscriber = digests.GroupBy(m => m.To.Mailboxes.Single().Address, StringComparer.OrdinalIgnoreCase).ToList();
        Assert.All(perSubscriber, g => Assert.Single(g.Select(m => m.MessageId).Distinct()));
        Assert.All(digests, m => Assert.Matches(@"^digest\.daily-\d{4}-\d{2}-\d{2}\.[0-9a-f]{32}@", m.MessageId));
        return (digests.Select(m => m.MessageId).Distinct().Count(), digests.Count);
    }
}
