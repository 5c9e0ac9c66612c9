using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Papers.Api.Data;
using Papers.Api.Reenrichment;
using Papers.Contracts;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;

namespace Papers.Api.Tests;

/// <summary>The sweeper against a real SQLite read model: which papers it asks Enrichment to redo, how many at once, and when it gives up.</summary>
public sealed class ReenrichmentTests : IDisposable
{
    private const string OldModel = "all-MiniLM-L6-v2/onnx@24.9.52193";
    private const string NewModel = "my-model/onnx@sha256:0123456789abcdef";

    private readonly SqliteTestDatabase<ApiDbContext> _database = new();
    private readonly ServiceProvider _services;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly ReenrichmentOptions _options = new() { MaxInFlight = 1_000, BatchSize = 200, RetryAfter = TimeSpan.FromMinutes(15), MaxAttempts = 3 };

    public ReenrichmentTests() =>
        _services = new ServiceCollection()
            .AddDbContext<ApiDbContext>(_database.Configure)
            .BuildServiceProvider();

    private ReenrichmentTarget Target() => new(Options.Create(_options), _clock);

    private ReenrichmentSweeper Sweeper()
    {
        var scopes = _services.GetRequiredService<IServiceScopeFactory>();
        var lease = new ClusterLease<ApiDbContext>(scopes, LeaseLocks.InProcess(), _clock, NullLogger<ClusterLease<ApiDbContext>>.Instance);
        return new(scopes, lease, Target(), new ReenrichmentSignal(), Options.Create(_options), _clock, NullLogger<ReenrichmentSweeper>.Instance);
    }

    [Fact]
    public async Task Before_any_model_is_announced_nothing_is_requested()
    {
        await SeedAsync(("2501.00001", OldModel, true));
        Assert.Equal(0, await Sweeper().SweepAsync(default));
        Assert.Empty(await RequestsAsync());
    }

    [Fact]
    public async Task Papers_of_another_model_are_requested_once_newest_first_with_their_current_text()
    {
        await SeedAsync(
            ("2501.00001", OldModel, true),
            ("2501.00002", OldModel, true),
            ("2501.00003", NewModel, true),   // already current
            ("2501.00004", OldModel, false)); // newer content is on its way through the pipeline
        await AnnounceAsync(NewModel);
        var sweeper = Sweeper();

        Assert.Equal(2, await sweeper.SweepAsync(default));
        var requests = await RequestsAsync();
        Assert.Equal(["2501.00002", "2501.00001"], requests.Select(r => r.PaperId));
        Assert.All(requests, r =>
        {
            Assert.Equal($"Title of {r.PaperId}", r.Title);
            Assert.Equal($"hash-{r.PaperId}", r.ContentHash);
            Assert.Contains(NewModel, r.Reason);
        });

        Assert.Equal(0, await sweeper.SweepAsync(default));
        Assert.Equal(2, (await RequestsAsync()).Count);
        Assert.Equal(new ReenrichmentProgress(NewModel, 3, 2, 0), await ProgressAsync());
    }

    [Fact]
    public async Task At_most_MaxInFlight_requests_are_unanswered_and_each_answer_frees_a_place()
    {
        _options.MaxInFlight = 3;
        await SeedAsync(Enumerable.Range(1, 10).Select(i => ($"2501.{i:00000}", OldModel, true)).ToArray());
        await AnnounceAsync(NewModel);
        var sweeper = Sweeper();

        Assert.Equal(3, await sweeper.SweepAsync(default));
        Assert.Equal(0, await sweeper.SweepAsync(default));

        await AnswerAsync((await RequestsAsync())[0].PaperId);
        Assert.Equal(1, await sweeper.SweepAsync(default));
        Assert.Equal(4, (await RequestsAsync()).Select(r => r.PaperId).Distinct().Count());
    }

    [Fact]
    public async Task Unanswered_requests_are_sent_again_after_RetryAfter_and_given_up_after_MaxAttempts()
    {
        await SeedAsync(("2501.00001", OldModel, true));
        await AnnounceAsync(NewModel);
        var sweeper = Sweeper();

        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            Assert.Equal(1, await sweeper.SweepAsync(default));
            _clock.Advance(TimeSpan.FromMinutes(14));
            Assert.Equal(0, await sweeper.SweepAsync(default));
            _clock.Advance(TimeSpan.FromMinutes(2));
        }
        Assert.Equal(0, await sweeper.SweepAsync(default));
        Assert.Equal(_options.MaxAttempts, (await RequestsAsync()).Count);
        Assert.Equal(new ReenrichmentProgress(NewModel, 1, 0, 1), await ProgressAsync());
    }

    [Fact]
    public async Task A_later_announcement_of_the_old_model_rolls_back_the_target()
    {
        await SeedAsync(("2501.00001", OldModel, true));
        await AnnounceAsync(NewModel);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await AnnounceAsync(OldModel);

        Assert.Equal(0, await Sweeper().SweepAsync(default));
        Assert.Equal(new ReenrichmentProgress(OldModel, 0, 0, 0), await ProgressAsync());
    }

    [Fact]
    public async Task An_old_model_that_restarted_late_stops_deciding_once_no_replica_announces_it()
    {
        await SeedAsync(("2501.00001", OldModel, true));
        await AnnounceAsync(NewModel);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await AnnounceAsync(OldModel); // an old replica restarts during the rollout, then is replaced
        var sweeper = Sweeper();
        Assert.Equal(0, await sweeper.SweepAsync(default));

        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(5));
            await AnnounceAsync(NewModel, restarted: false);
        }

        Assert.Equal(1, await sweeper.SweepAsync(default));
        Assert.Equal(NewModel, (await ProgressAsync()).EmbeddingModel);
    }

    private async Task SeedAsync(params (string Id, string Model, bool CurrentContent)[] papers)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var day = 0;
        foreach (var (id, model, current) in papers)
        {
            db.Papers.Add(new PaperRecord
            {
                PaperId = id,
                Version = 1,
                Title = $"Title of {id}",
                Abstract = $"Abstract of {id}",
                Source = "file",
                ContentHash = current ? $"hash-{id}" : $"newer-hash-{id}",
                ListedOn = new DateOnly(2025, 1, 1).AddDays(day++),
            });
            db.Enrichments.Add(new EnrichmentRecord { PaperId = id, Version = 1, ContentHash = $"hash-{id}", Embedding = [1, 0], EmbeddingModel = model });
        }
        await db.SaveChangesAsync();
    }

    /// <summary>What <c>TrackEmbeddingModelConsumer</c> stores for an <c>EnrichmentRunning</c>.</summary>
    private async Task AnnounceAsync(string model, bool restarted = true)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var seen = await db.EmbeddingModels.FindAsync(model);
        if (seen is null)
            db.EmbeddingModels.Add(seen = new EmbeddingModelSeen { EmbeddingModel = model, Dimensions = 384, Instance = "test" });
        if (restarted)
            seen.LastStartedAt = _clock.GetUtcNow().UtcDateTime;
        seen.LastAnnouncedAt = _clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync();
    }

    private async Task AnswerAsync(string paperId)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var enrichment = await db.Enrichments.SingleAsync(e => e.PaperId == paperId);
        enrichment.EmbeddingModel = NewModel;
        await db.SaveChangesAsync();
    }

    private async Task<List<EnrichPaper>> RequestsAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var rows = await db.Set<OutboxMessage>().OrderBy(m => m.Id).ToListAsync();
        Assert.All(rows, r => Assert.Equal(typeof(EnrichPaper).FullName, r.MessageType));
        return rows.Select(r => JsonSerializer.Deserialize<EnrichPaper>(r.Body)!).ToList();
    }

    private async Task<ReenrichmentProgress> ProgressAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        return await Target().ProgressAsync(scope.ServiceProvider.GetRequiredService<ApiDbContext>(), default);
    }

    public void Dispose()
    {
        _services.Dispose();
        _database.Dispose();
    }
}
