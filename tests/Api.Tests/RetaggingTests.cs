using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Papers.Api.Data;
using Papers.Api.Retagging;
using Papers.Contracts;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;

namespace Papers.Api.Tests;

/// <summary>
/// The re-tagging sweeper against a real SQLite read model: which papers it asks Enrichment to tag
/// again after a promotion or a rollback, how many at once, and when it asks again or gives up.
/// (The whole loop on RabbitMQ and PostgreSQL: Training.Tests' <c>RetaggingTests</c>.)
/// </summary>
public sealed class RetaggingTests : IDisposable
{
    private const string Model = "all-MiniLM-L6-v2/onnx@24.9.52193";
    private static readonly Guid First = Guid.Parse("00000000-0000-0000-0000-000000000001");

    private readonly SqliteTestDatabase<ApiDbContext> _database = new();
    private readonly ServiceProvider _services;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly RetaggingOptions _options = new() { MaxInFlight = 1_000, BatchSize = 200, RetryAfter = TimeSpan.FromMinutes(15), MaxAttempts = 3 };

    public RetaggingTests() =>
        _services = new ServiceCollection()
            .AddDbContext<ApiDbContext>(_database.Configure)
            .BuildServiceProvider();

    private RetaggingSweeper Sweeper()
    {
        var scopes = _services.GetRequiredService<IServiceScopeFactory>();
        var lease = new ClusterLease<ApiDbContext>(scopes, LeaseLocks.InProcess(), _clock, NullLogger<ClusterLease<ApiDbContext>>.Instance);
        return new(scopes, lease, new RetaggingSignal(), Options.Create(_options), _clock, NullLogger<RetaggingSweeper>.Instance);
    }

    [Fact]
    public async Task Only_predicted_tags_of_the_current_content_and_the_promoted_models_embeddings_are_requested_newest_first()
    {
        await SeedAsync(
            ("2501.00001", null, true, null, Model),
            ("2501.00002", null, true, null, Model),
            ("2501.00003", "cs.LG", true, null, Model),            // the authors' categories: kept
            ("2501.00004", null, false, null, Model),              // newer content is on its way through the pipeline
            ("2501.00005", null, true, First, Model),              // tagged by the promoted model already
            ("2501.00006", null, true, null, "another-model/onnx@1")); // another embedding model: no promotion for it
        Assert.Equal(0, await Sweeper().SweepAsync(default));

        await PromoteAsync(First);
        var sweeper = Sweeper();

        Assert.Equal(2, await sweeper.SweepAsync(default));
        var requests = await RequestsAsync();
        Assert.Equal(["2501.00002", "2501.00001"], requests.Select(r => r.PaperId));
        Assert.All(requests, r =>
        {
            Assert.Equal(First, r.TaggerModelId);
            Assert.Equal((Model, $"hash-{r.PaperId}"), (r.EmbeddingModel, r.ContentHash));
            Assert.Equal([0.6f, 0.8f], r.Embedding);
        });
        Assert.Equal(0, await sweeper.SweepAsync(default));
        Assert.Equal(new RetaggingProgress(2, 2, 0), await ProgressAsync());
    }

    [Fact]
    public async Task At_most_MaxInFlight_are_unanswered_requests_are_sent_again_after_RetryAfter_and_given_up_after_MaxAttempts()
    {
        _options.MaxInFlight = 3;
        await SeedAsync([.. Enumerable.Range(1, 5).Select(i => ($"2501.{i:00000}", (string?)null, true, (Guid?)null, Model))]);
        await PromoteAsync(First);
        var sweeper = Sweeper();

        Assert.Equal(3, await sweeper.SweepAsync(default));
        Assert.Equal(0, await sweeper.SweepAsync(default));
        await AnswerAsync("2501.00005", First);
        await AnswerAsync("2501.00004", First);
        await AnswerAsync("2501.00003", First);
        Assert.Equal(2, await sweeper.SweepAsync(default));

        // The last two are never answered.
        for (var attempt = 2; attempt <= _options.MaxAttempts; attempt++)
        {
            _clock.Advance(TimeSpan.FromMinutes(14));
            Assert.Equal(0, await sweeper.SweepAsync(default));
            _clock.Advance(TimeSpan.FromMinutes(2));
            Assert.Equal(2, await sweeper.SweepAsync(default));
        }
        _clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(0, await sweeper.SweepAsync(default));
        Assert.Equal(3 + 2 * _options.MaxAttempts, (await RequestsAsync()).Count);
        Assert.Equal(new RetaggingProgress(2, 0, 2), await ProgressAsync());
    }

    [Fact]
    public async Task A_rollback_to_the_built_in_model_requests_the_papers_the_rolled_back_model_tagged_and_no_others()
    {
        await SeedAsync(("2501.00001", null, true, First, Model), ("2501.00002", null, true, null, Model));
        await PromoteAsync(First);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await PromoteAsync(null);

        Assert.Equal(1, await Sweeper().SweepAsync(default));
        var request = Assert.Single(await RequestsAsync());
        Assert.Equal(("2501.00001", (Guid?)null), (request.PaperId, request.TaggerModelId));
    }

    private async Task SeedAsync(params (string Id, string? Primary, bool CurrentContent, Guid? TaggedBy, string Model)[] papers)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var day = 0;
        foreach (var (id, primary, current, taggedBy, model) in papers)
        {
            db.Papers.Add(new PaperRecord
            {
                PaperId = id,
                Version = 1,
                Title = $"Title of {id}",
                Abstract = $"Abstract of {id}",
                Source = "file",
                PrimaryCategory = primary,
                Categories = primary is null ? [] : [primary],
                ContentHash = current ? $"hash-{id}" : $"newer-hash-{id}",
                ListedOn = new DateOnly(2025, 1, 1).AddDays(day++),
            });
            db.Enrichments.Add(new EnrichmentRecord { PaperId = id, Version = 1, ContentHash = $"hash-{id}", Embedding = [0.6f, 0.8f], EmbeddingModel = model, TaggerModelId = taggedBy });
        }
        await db.SaveChangesAsync();
    }

    /// <summary>What <c>TrackTaggerModelConsumer</c> stores for a <c>TaggerModelPromoted</c>.</summary>
    private async Task PromoteAsync(Guid? model)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var row = await db.TaggerPromotions.FindAsync(Model);
        if (row is null)
            db.TaggerPromotions.Add(row = new TaggerPromotion { EmbeddingModel = Model });
        (row.ModelId, row.PromotedAt) = (model, _clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync();
    }

    /// <summary>What <c>IndexRetagConsumer</c> stores for a <c>PaperRetagged</c>.</summary>
    private async Task AnswerAsync(string paperId, Guid? model)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        (await db.Enrichments.SingleAsync(e => e.PaperId == paperId)).TaggerModelId = model;
        await db.SaveChangesAsync();
    }

    private async Task<List<RetagPaper>> RequestsAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var rows = await db.Set<OutboxMessage>().OrderBy(m => m.Id).ToListAsync();
        Assert.All(rows, r => Assert.Equal(typeof(RetagPaper).FullName, r.MessageType));
        return rows.Select(r => JsonSerializer.Deserialize<RetagPaper>(r.Body)!).ToList();
    }

    private async Task<RetaggingProgress> ProgressAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        return await new RetaggingTarget(Options.Create(_options), _clock).ProgressAsync(scope.ServiceProvider.GetRequiredService<ApiDbContext>(), default);
    }

    public void Dispose()
    {
        _services.Dispose();
        _database.Dispose();
    }
}
