using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Papers.Contracts;
using Papers.Notifications.Consumers;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.ServiceDefaults.Embeddings;
using Papers.TestSupport;

namespace Papers.Notifications.Tests;

/// <summary>
/// After a change of embedding model every paper is enriched again: digests must neither treat
/// those old papers as new nor compare a topic's vector with a paper's vector of another model.
/// </summary>
public sealed class ModelChangeTests : IAsyncLifetime
{
    private const string OldModel = "old/onnx@1";
    private const string NewModel = "new/onnx@2";

    private readonly SqliteTestDatabase<NotificationsDbContext> _database = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));
    private ServiceProvider _services = null!;

    public Task InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddDbContext<NotificationsDbContext>(_database.Configure)
            .AddSingleton<TimeProvider>(_clock)
            .AddMassTransitTestHarness(x => x.AddConsumer<CollectDigestCandidateConsumer>())
            .BuildServiceProvider(true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_re_enrichment_by_a_new_model_updates_the_vector_but_does_not_make_the_paper_new()
    {
        var harness = _services.GetRequiredService<ITestHarness>();
        await harness.Start();
        await DeliverAsync(harness, Ingested("2501.00001"));
        await DeliverAsync(harness, Enriched("2501.00001", OldModel, [1, 0]));
        var arrived = (await CandidateAsync("2501.00001")).ArrivedAt;

        _clock.Advance(TimeSpan.FromDays(3));
        await DeliverAsync(harness, Enriched("2501.00001", NewModel, [0, 1]));

        var paper = await CandidateAsync("2501.00001");
        Assert.Equal((NewModel, 1f), (paper.EmbeddingModel, paper.Embedding![1]));
        Assert.Equal(arrived, paper.ArrivedAt);
    }

    [Fact]
    public async Task A_free_text_topic_scores_only_papers_embedded_by_the_model_of_its_own_vector()
    {
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
            db.Candidates.AddRange(Candidate("same-model", NewModel), Candidate("other-model", OldModel));
            await db.SaveChangesAsync();
        }

        await using var compose = _services.CreateAsyncScope();
        var composer = new DigestComposer(compose.ServiceProvider.GetRequiredService<NotificationsDbContext>(), new OneVectorEmbedder(NewModel),
            new LibraryDigests(compose.ServiceProvider.GetRequiredService<NotificationsDbContext>(), new Libraries(),
                Options.Create(new DigestOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<LibraryDigests>.Instance), Options.Create(new DigestOptions { MinTopicSimilarity = 0.3 }), _clock);
        var entries = await composer.ComposeAsync(new Subscriber { Email = "a@example.org", UnsubscribeToken = "t", Topics = ["quantization"] }, default);

        Assert.Equal("same-model", Assert.Single(entries).Paper.PaperId);
    }

    private CandidatePaper Candidate(string id, string model) => new()
    {
        PaperId = id,
        Title = id,
        ContentHash = "h",
        EnrichedHash = "h",
        Embedding = [1, 0],
        EmbeddingModel = model,
        ArrivedAt = _clock.GetUtcNow().UtcDateTime.AddHours(-1),
    };

    private static Task DeliverAsync<T>(ITestHarness harness, T message) where T : class =>
        HarnessDelivery.DeliverAsync<CollectDigestCandidateConsumer, T>(harness, message);

    private async Task<CandidatePaper> CandidateAsync(string id)
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NotificationsDbContext>().Candidates.AsNoTracking().SingleAsync(c => c.PaperId == id);
    }

    private static PaperIngested Ingested(string id) => new(
        id, 1, $"Title {id}", "Abstract", [], "cs.LG", ["cs.LG"], null, new DateOnly(2026, 11, 26), "file", 0,
        null, null, null, null, null, null, null, "hash", DateTimeOffset.UtcNow);

    private PaperEnriched Enriched(string id, string model, float[] vector) =>
        new(id, 1, "hash", vector, model, [], "cs.LG", [], _clock.GetUtcNow());

    /// <summary>Stands in for Enrichment's <c>/embed</c>: every text gets the same vector, of the given model.</summary>
    private sealed class OneVectorEmbedder(string model) : ITextEmbedder
    {
        public string ModelId => model;

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            Task.FromResult(texts.Select(_ => new float[] { 1, 0 }).ToArray());
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _database.Dispose();
    }
}
