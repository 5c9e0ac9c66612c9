using DuckDB.NET.Data;
using MassTransit;
using Papers.Cluster.Tests.Infrastructure;
using Papers.Contracts;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests;

/// <summary>
/// Issue 18: two Analytics replicas as real processes archive a stream of events published to
/// the public exchanges of a real RabbitMQ; one is killed with SIGKILL mid-stream and restarted.
/// Every event is then in the Parquet archive exactly once (the copies published again on purpose
/// and the redeliveries of what the killed replica held included), as DuckDB reads the files.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AnalyticsArchiveTests(ClusterInfrastructure infra, ITestOutputHelper output)
{
    private const int Events = 4000, Repeated = 400;

    [Fact]
    public async Task Analytics_killed_mid_stream_loses_nothing_and_archives_every_event_once()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "archive", replicas: 0, new Dictionary<string, int> { ["Analytics"] = 2 });
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var start = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
            var views = Enumerable.Range(0, Events).Select(i => (Id: NewId.NextGuid(), Message: new PaperViewed($"2401.{i % 97:00000}", start.AddMinutes(i * 2)))).ToList();
            var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(cluster.Amqp, h => h.PublisherConfirmation = true));
            await bus.StartAsync();
            try
            {
                // Half before the kill, so the whole stream can't be archived before a replica is
                // killed (on an idle machine the first flush once took all of it: files hold 2,000).
                var publishing = PublishAsync(bus, views.GetRange(0, Events / 2));
                var before = await Eventually.UntilAsync(ArchivedAsync, n => n >= Events / 4, TimeSpan.FromSeconds(120), "a quarter archived");
                Assert.True(before < Events, $"every event was archived ({before}) before a replica could be killed");
                cluster.Kill("Analytics");
                cluster.Log($"killed with {before} archived");
                await cluster.RestartAsync("Analytics");
                await publishing;
                await PublishAsync(bus, views.GetRange(Events / 2, Events - Events / 2));
                await Task.WhenAll(views.Where((_, i) => i % (Events / Repeated) == 0).Select(v => bus.Publish(v.Message, c => c.MessageId = v.Id)));
                cluster.Log($"published {Events} events and {Repeated} of them again");
            }
            finally
            {
                await bus.StopAsync();
            }
            await Eventually.UntilAsync(ArchivedAsync, n => n >= Events, TimeSpan.FromSeconds(120), "every event archived");
            // Every copy consumed: the repeats too, which the archive dropped.
            await Eventually.UntilAsync(async () => (await cluster.Management.QueuesAsync(cluster.Vhost)).Single(q => q.Name == "analytics-paper-viewed").Messages == 0,
                TimeSpan.FromSeconds(60), "the archive's queue drained");

            await using var duck = new DuckDBConnection("Data Source=:memory:");
            await duck.OpenAsync();
            await using var command = duck.CreateCommand();
            command.CommandText = $"SELECT messageId, day = CAST(eventTime AS DATE) FROM read_parquet('{cluster.ArchiveRoot}/PaperViewed/day=*/*.parquet', hive_partitioning = true)";
            var archived = new List<(string Id, bool InItsDay)>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    archived.Add((reader.GetString(0), reader.GetBoolean(1)));
            Assert.Equal(views.Select(v => v.Id.ToString()).Order(), archived.Select(a => a.Id).Order());
            Assert.All(archived, a => Assert.True(a.InItsDay));
            Assert.Equal(0, await cluster.CountAsync("Analytics", "SELECT count(*) FROM archived_messages") - Events);
            Assert.DoesNotContain(await cluster.Management.QueuesAsync(cluster.Vhost), q => q.Name.EndsWith("_error", StringComparison.Ordinal) && q.Messages > 0);
        });

        Task<long> ArchivedAsync() => cluster.CountAsync("Analytics", "SELECT count(*) FROM archived_messages");
    }

    /// <summary>The events in bursts, as a backfill publishes them; then some of them again with the same ids (an outbox relay repeating itself).</summary>
    private static async Task PublishAsync(IBus bus, List<(Guid Id, PaperViewed Message)> views)
    {
        foreach (var chunk in views.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(v => bus.Publish(v.Message, c => c.MessageId = v.Id)));
            await Task.Delay(25);
        }
    }
}
