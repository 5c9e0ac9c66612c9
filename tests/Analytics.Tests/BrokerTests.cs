using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Papers.Analytics.Apis;
using Papers.Analytics.Commands;
using Papers.Analytics.Consumers;
using Papers.Analytics.Data;
using Papers.Analytics.Replay;
using Papers.Contracts;
using Papers.ServiceDefaults.Security;
using Papers.TestSupport;

namespace Papers.Analytics.Tests;

/// <summary>The service on a real broker and database: two replicas, duplicates on purpose, the endpoints and replay.</summary>
public sealed class BrokerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private readonly Uri _amqp = new(Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ") ?? "amqp://unset/");
    private readonly string _vhost = $"analytics-{Guid.NewGuid():N}";
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("papers-archive-");
    private RabbitMqManagement? _management;
    private PostgresTestDatabase<AnalyticsDbContext>? _database;
    private PostgresTestDatabase<AccessDbContext>? _identity;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ_MANAGEMENT") is not { } management || Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable) is null)
            return;
        _management = new RabbitMqManagement(new Uri(management), _amqp);
        await _management.CreateVhostAsync(_vhost);
        _database = await PostgresTestDatabase<AnalyticsDbContext>.CreateAsync();
        _identity = await PostgresTestDatabase<AccessDbContext>.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        if (_management is not null)
        {
            await _management.DeleteVhostAsync(_vhost);
            _management.Dispose();
        }
        if (_database is not null)
            await _database.DisposeAsync();
        if (_identity is not null)
            await _identity.DisposeAsync();
        _root.Delete(recursive: true);
    }

    [RabbitMqFact]
    public async Task Events_published_to_two_replicas_are_archived_exactly_once_and_repeated_ones_dropped()
    {
        await using var one = await StartAsync();
        await using var two = await StartAsync();
        var views = Enumerable.Range(0, 300).Select(i => (Id: NewId.NextGuid(), Message: new PaperViewed($"2401.{i % 17:00000}", Day1.AddHours(i % 72)))).ToList();

        await PublishAsync(one.Bus, views);
        // The same messages again (an outbox relay repeating them after a crash), from the other side, while the first copies are still being archived.
        await PublishAsync(two.Bus, views[..150]);
        await PublishAsync(one.Bus, views[100..]);
        await Eventually.UntilAsync(() => Task.FromResult(one.Received + two.Received), n => n >= 300 + 150 + 200, TimeSpan.FromSeconds(60), "every copy received and acknowledged");
        var archived = await ArchivedCountAsync();
        await one.DisposeAsync();
        await two.DisposeAsync();

        // Stopped: every copy was either archived (and acknowledged) or is back in the queue.
        Assert.Empty(await _management!.PeekAsync(_vhost, ArchiveQueues.Of(typeof(PaperViewed)), 10));
        Assert.Equal(views.Count, archived);
        var rig = new ArchiveReader(_root.FullName, _database!);
        Assert.Equal((long)views.Count, await rig.ScalarAsync("SELECT count(*) FROM PaperViewed"));
        Assert.Equal((long)views.Count, await rig.ScalarAsync("SELECT count(DISTINCT messageId) FROM PaperViewed"));
        Assert.Equal(views.Select(v => v.Id.ToString()).Order(), (await rig.ListAsync("SELECT messageId FROM PaperViewed")).Order());
        Assert.Equal((long)views.Select(v => v.Message.ViewedAt.UtcDateTime.Date).Distinct().Count(), await rig.ScalarAsync("SELECT count(DISTINCT day) FROM PaperViewed"));
        Assert.Equal(0L, await rig.ScalarAsync("SELECT count(*) FROM PaperViewed WHERE day <> CAST(eventTime AS DATE)"));
    }

    [RabbitMqFact]
    public async Task Replay_sends_exactly_one_days_events_to_the_named_queue_and_the_endpoints_refuse_bad_input()
    {
        await using var host = await StartAsync();
        var views = Enumerable.Range(0, 90).Select(i => (Id: NewId.NextGuid(), Message: new PaperViewed($"2401.{i % 7:00000}", Day1.AddHours(i)))).ToList();
        await PublishAsync(host.Bus, views);
        await Eventually.UntilAsync(ArchivedCountAsync, n => n == views.Count, TimeSpan.FromSeconds(60), "all views archived");
        using var http = await host.AdminClientAsync();
        var queue = $"backfill-{Guid.NewGuid():N}";

        using var replay = await http.PostAsJsonAsync("/api/analytics/replay", new { eventType = "PaperViewed", from = "2026-11-21", to = "2026-11-21", queue });

        replay.EnsureSuccessStatusCode();
        var expected = views.Where(v => v.Message.ViewedAt.UtcDateTime.Date == new DateTime(2026, 11, 21)).ToList();
        Assert.Equal(24, expected.Count);
        Assert.Equal(expected.Count, (await replay.Content.ReadFromJsonAsync<ReplayResult>(JsonSerializerOptions.Web))!.Replayed);
        var delivered = await _management!.PeekAsync(_vhost, queue, 200);
        Assert.Equal(expected.Select(v => v.Id.ToString()).Order(), delivered.Select(d => JsonDocument.Parse(d.Payload).RootElement.GetProperty("messageId").GetString()!).Order());
        Assert.All(delivered, d => Assert.Equal("true", d.Headers[ArchiveReplay.ReplayedHeader]));
        Assert.All(delivered, d => Assert.StartsWith("2026-11-21", JsonDocument.Parse(d.Payload).RootElement.GetProperty("message").GetProperty("viewedAt").GetString()));
        // Nothing went to the public exchange: the archive's own queue got no second copy.
        Assert.Empty(await _management.PeekAsync(_vhost, ArchiveQueues.Of(typeof(PaperViewed)), 10));

        var top = await http.GetFromJsonAsync<List<Queries.TopPapers>>("/api/analytics/top-papers?from=2026-11-20&to=2026-11-23&limit=3", JsonSerializerOptions.Web);
        Assert.Equal(4, top!.Count);
        var mostViewed = expected.GroupBy(v => v.Message.PaperId).Select(g => new Queries.PaperCount(g.Key, g.Count())).OrderByDescending(p => p.Count).ThenBy(p => p.PaperId, StringComparer.Ordinal).Take(3);
        Assert.Equal(mostViewed, top.Single(t => t.Day == new DateOnly(2026, 11, 21)).ByViews);

        // The same through the command, to another queue.
        var commandQueue = $"backfill-{Guid.NewGuid():N}";
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ReplayCommand.RunAsync(["replay", "--event-type", "PaperViewed", "--from", "2026-11-21", "--to", "2026-11-21", "--queue", commandQueue], output, error,
            c => c.AddInMemoryCollection(Settings()));
        Assert.True(code == 0, error.ToString());
        Assert.Contains($"replay: 24 PaperViewed of 2026-11-21..2026-11-21 sent to queue {commandQueue}", output.ToString());
        Assert.Equal(expected.Select(v => v.Id.ToString()).Order(),
            (await _management.PeekAsync(_vhost, commandQueue, 200)).Select(d => JsonDocument.Parse(d.Payload).RootElement.GetProperty("messageId").GetString()!).Order());

        await AssertRefusedAsync(http.PostAsJsonAsync("/api/analytics/replay", new { eventType = "PaperSold", from = "2026-11-21", to = "2026-11-21", queue }), "eventType", "PaperSold");
        await AssertRefusedAsync(http.PostAsJsonAsync("/api/analytics/replay", new { eventType = "PaperViewed", from = "2026-11-21", to = "2026-11-21", queue = "Papers.Contracts:PaperViewed" }), "queue", "Papers.Contracts:PaperViewed");
        await AssertRefusedAsync(http.PostAsJsonAsync("/api/analytics/replay", new { eventType = "PaperViewed", from = "2026-11-21", to = "2026-11-21", queue = ArchiveQueues.Of(typeof(PaperViewed)) }), "queue", "analytics-paper-viewed");
        await AssertRefusedAsync(http.PostAsJsonAsync("/api/analytics/replay", new { eventType = "PaperViewed", from = "2026-11-22", to = "2026-11-21", queue }), "from", "2026-11-22");
        await AssertRefusedAsync(http.GetAsync("/api/analytics/searches?from=2026-13-01"), "from", "2026-13-01");
        await AssertRefusedAsync(http.GetAsync("/api/analytics/searches?limit=0"), "limit", "'0'");
        await AssertRefusedAsync(http.GetAsync("/api/analytics/digests?from=2024-01-01&to=2026-11-30"), "from", "366");
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/analytics/searches")).StatusCode);
        using var voter = new HttpClient { BaseAddress = host.BaseAddress };
        var key = await host.Services.GetRequiredService<ApiKeyStore>().IssueAsync("voter", [Scopes.Vote], 100, default);
        voter.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Key);
        Assert.Equal(HttpStatusCode.Forbidden, (await voter.PostAsJsonAsync("/api/analytics/replay", new { eventType = "PaperViewed", from = "2026-11-21", to = "2026-11-21", queue })).StatusCode);
    }

    [RabbitMqFact]
    public async Task An_append_that_keeps_failing_leaves_its_messages_in_the_queue_and_they_are_archived_once_it_recovers()
    {
        // A file where the type's folder goes: every append of PaperViewed fails (after its claim, which rolls back).
        var blocker = Path.Combine(_root.FullName, nameof(PaperViewed));
        await File.WriteAllTextAsync(blocker, "not a folder");
        var settings = Settings();
        settings["Messaging:RetryLimit"] = "1";
        await using var host = await AnalyticsHost.StartAsync(settings);
        var views = Enumerable.Range(0, 120).Select(i => (Id: NewId.NextGuid(), Message: new PaperViewed($"2401.{i % 7:00000}", Day1.AddHours(i % 30)))).ToList();
        await PublishAsync(host.Bus, views);

        // Batches fail, are retried, and go back to the queue, again and again: nothing archived,
        // nothing acknowledged, nothing in an error queue.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await ArchivedCountAsync());
        Assert.Equal(0, host.Received);
        Assert.DoesNotContain(await _management!.QueuesAsync(_vhost), q => q.Name.EndsWith("_error", StringComparison.Ordinal) && q.Messages > 0);

        File.Delete(blocker);
        await Eventually.UntilAsync(ArchivedCountAsync, n => n == views.Count, TimeSpan.FromSeconds(60), "every view archived once the folder can be written");
        await Eventually.UntilAsync(() => Task.FromResult(host.Received), n => n >= views.Count, TimeSpan.FromSeconds(30), "every view acknowledged");
        await host.DisposeAsync();

        Assert.Empty(await _management.PeekAsync(_vhost, ArchiveQueues.Of(typeof(PaperViewed)), 10));
        Assert.DoesNotContain(await _management.QueuesAsync(_vhost), q => q.Name.EndsWith("_error", StringComparison.Ordinal) && q.Messages > 0);
        var rig = new ArchiveReader(_root.FullName, _database!);
        Assert.Equal((long)views.Count, await rig.ScalarAsync("SELECT count(DISTINCT messageId) FROM PaperViewed"));
        Assert.Equal((long)views.Count, await rig.ScalarAsync("SELECT count(*) FROM PaperViewed"));
    }

    [RabbitMqFact]
    public async Task On_the_embedded_in_memory_bus_events_are_archived_and_acknowledged_too()
    {
        var settings = Settings();
        settings["Messaging:Transport"] = "InMemory";
        await using var host = await AnalyticsHost.StartAsync(settings);
        var views = Enumerable.Range(0, 150).Select(i => (Id: NewId.NextGuid(), Message: new PaperViewed($"2401.{i % 9:00000}", Day1.AddHours(i % 40)))).ToList();
        await PublishAsync(host.Bus, views);
        await PublishAsync(host.Bus, views[..50]);

        await Eventually.UntilAsync(() => Task.FromResult(host.Received), n => n >= views.Count + 50, TimeSpan.FromSeconds(30), "every copy received and acknowledged");
        Assert.Equal(views.Count, await ArchivedCountAsync());
    }

    private Task<AnalyticsHost> StartAsync() => AnalyticsHost.StartAsync(Settings());

    private Dictionary<string, string?> Settings() => new()
    {
        ["Messaging:Transport"] = "RabbitMq",
        ["ConnectionStrings:RabbitMq"] = new UriBuilder(_amqp) { Path = "/" + Uri.EscapeDataString(_vhost) }.Uri.ToString(),
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:Analytics"] = _database!.ConnectionString,
        ["ConnectionStrings:Identity"] = _identity!.ConnectionString,
        ["Analytics:Root"] = _root.FullName,
    };

    private async Task<int> ArchivedCountAsync()
    {
        await using var db = _database!.Context();
        return await db.Messages.CountAsync();
    }

    private static async Task PublishAsync(IBus bus, IEnumerable<(Guid Id, PaperViewed Message)> views) =>
        await Task.WhenAll(views.Select(v => bus.Publish(v.Message, c => c.MessageId = v.Id)));

    private static async Task AssertRefusedAsync(Task<HttpResponseMessage> request, string field, string value)
    {
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"{field}\"", body);
        Assert.Contains(value, body);
    }
}
