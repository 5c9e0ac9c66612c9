using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Papers.Contracts;
using Papers.TestSupport;
using Papers.Training.Consumers;
using Papers.Training.Data;

namespace Papers.Training.Tests;

/// <summary>
/// Labelled examples come only from arXiv papers with categories, one row a paper (the newest
/// version wins, whatever the order of arrival), and a vector serves only the content it is of.
/// </summary>
public sealed class CollectLabelledExampleTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase<TrainingDbContext> _database = new();
    private ServiceProvider _services = null!;
    private ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddDbContext<TrainingDbContext>(_database.Configure)
            .AddSingleton(TimeProvider.System)
            .AddMassTransitTestHarness(x => x.AddConsumer<CollectLabelledExampleConsumer>())
            .BuildServiceProvider(true);
        _harness = _services.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task Only_arxiv_papers_with_categories_from_sources_that_carry_them_become_examples()
    {
        await DeliverAsync(Ingested("2501.00001", 1, "h1", ["cs.CL", "cs.LG"]));
        await DeliverAsync(Ingested("2501.00002", 1, "h1", ["cs.CL"], source: "submission"));
        await DeliverAsync(Ingested("2501.00003", 1, "h1", ["cs.CL"], source: "hf-daily"));
        await DeliverAsync(Ingested("2501.00004", 1, "h1", []));
        await DeliverAsync(Ingested("2501.00005", 1, "h1", ["not-a-category"]));
        await DeliverAsync(Ingested("p-0123456789ab", 1, "h1", ["cs.CL"]));
        await DeliverAsync(Ingested("2501.00006", 1, "h1", ["funct-an"], source: "arxiv-oai"));

        await using var db = _database.Context();
        var examples = await db.Examples.OrderBy(e => e.PaperId).ToListAsync();
        Assert.Equal(["2501.00001", "2501.00006"], examples.Select(e => e.PaperId));
        Assert.Equal(["cs.CL", "cs.LG"], examples[0].Categories);
        Assert.Equal(["math.FA"], examples[1].Categories); // today's id for the old archive
    }

    [Fact]
    public async Task The_newest_version_wins_and_a_vector_serves_only_its_own_content()
    {
        await DeliverAsync(Ingested("2501.00001", 2, "h2", ["cs.LG"]));
        await DeliverAsync(Ingested("2501.00001", 1, "h1", ["cs.CL"])); // late, older: changes nothing
        await DeliverAsync(Enriched("2501.00001", "h1")); // the old content's vector: kept, but it serves no training
        var example = await ExampleAsync("2501.00001");
        Assert.Equal((2, "h2"), (example.Version, example.ContentHash));
        Assert.Equal(["cs.LG"], example.Categories);
        Assert.Equal("h1", example.EnrichedHash);

        await DeliverAsync(Enriched("2501.00001", "h2"));
        await DeliverAsync(Enriched("2501.00001", "h1")); // late: the current content's vector stays
        example = await ExampleAsync("2501.00001");
        Assert.Equal(("h2", "model@1"), (example.EnrichedHash, example.EmbeddingModel));

        // A vector that came first waits for its PaperIngested.
        await DeliverAsync(Enriched("2501.00009", "h1"));
        await DeliverAsync(Ingested("2501.00009", 1, "h1", ["astro-ph.GA"]));
        example = await ExampleAsync("2501.00009");
        Assert.Equal((1, "h1", "h1"), (example.Version, example.ContentHash, example.EnrichedHash));
    }

    private async Task<LabelledExample> ExampleAsync(string id)
    {
        await using var db = _database.Context();
        return await db.Examples.SingleAsync(e => e.PaperId == id);
    }

    private Task DeliverAsync<T>(T message) where T : class =>
        HarnessDelivery.DeliverAsync<CollectLabelledExampleConsumer, T>(_harness, message);

    private static PaperIngested Ingested(string id, int version, string hash, string[] categories, string source = "file") => new(
        id, version, $"Title {id}", "Abstract", [], categories.FirstOrDefault(), categories, null, new DateOnly(2026, 11, 26), source, 0,
        null, null, null, null, null, null, null, hash, DateTimeOffset.UtcNow);

    private static PaperEnriched Enriched(string id, string hash) =>
        new(id, 1, hash, [1, 0], "model@1", [], "cs.LG", [], DateTimeOffset.UtcNow);
}
