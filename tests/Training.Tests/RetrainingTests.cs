using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Papers.Contracts;
using Papers.Enrichment.Embeddings;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;
using Papers.Training.Data;
using Papers.Training.Retraining;

namespace Papers.Training.Tests;

/// <summary>
/// Retraining on a small harvest of real cs papers (embedded by the real model) in PostgreSQL:
/// the harvest changes the model and promotes it over the baseline; a harvest with shuffled labels
/// is trained, judged worse on the same validation papers, and not promoted; rollback goes back;
/// examples embedded by another model are never trained on.
/// </summary>
[Collection(ModelCollection.Name)]
public sealed class RetrainingTests(EmbedderFixture model) : IAsyncLifetime
{
    private PostgresTestDatabase<TrainingDbContext> _database = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("PAPERS_TEST_POSTGRES") is not { Length: > 0 })
            return;
        _database = await PostgresTestDatabase<TrainingDbContext>.CreateAsync();
        _services = new ServiceCollection()
            .AddLogging()
            .AddDbContext<TrainingDbContext>(o => _database.Configure(o))
            .AddSingleton(TimeProvider.System)
            .AddSingleton<ITextEmbedder>(model.Embedder)
            .AddSingleton(Options.Create(new TrainingOptions { UseBaseSet = false, MinExamples = 50, WindowMonths = 12 }))
            .AddClusterLease<TrainingDbContext>(_database.ReplicaLocks())
            .AddScoped<BaseTrainingSet>()
            .AddScoped<ModelRegistry>()
            .AddScoped<Retrainer>()
            .BuildServiceProvider(true);
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
            await _services.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }

    [PostgresFact]
    public async Task A_harvest_changes_the_model_and_promotes_it_only_when_better_and_never_with_shuffled_labels()
    {
        // Two listing days of the harvest: the older one, and 40 papers of the newer one listed a week before the other 40.
        var harvest = await model.HarvestAsync();
        var older = harvest.Where(e => e.ListedOn == Harvest.Older).ToList();
        var newer = harvest.Where(e => e.ListedOn == Harvest.Newer).ToList();
        var weekBefore = newer.Take(40).Select(e => e with { ListedOn = Harvest.Newer.AddDays(-7) }).ToList();
        var lastWeek = newer.Skip(40).ToList();

        await SeedAsync([.. older, .. weekBefore]);
        var first = await RetrainAsync();
        Assert.True(first.Outcome == RetrainOutcome.Promoted, first.Detail);
        Assert.Equal(model.Embedder.ModelId, first.EmbeddingModel);
        Assert.Contains("newest 7 days held out", first.Split);
        Assert.Equal(weekBefore.Count, first.ValidationExamples);
        // The built-in model was trained on these very papers: the bar is description similarity.
        Assert.StartsWith("description similarity", first.Incumbent!.Model);
        Assert.True(first.Candidate!.Top1 > first.Incumbent.Top1, first.Detail);
        Assert.InRange(first.Validation!.CalibrationError, 0, 1);
        Assert.Contains(first.Validation.Categories, c => c.Category == "cs.CV" && c.Support > 0);
        var promoted = await PromotedAsync();
        Assert.Equal(first.ModelId, promoted!.Id);
        Assert.NotEqual(TaggerModel.LoadEmbedded()!.Fingerprint, Load(promoted.ModelJson).Fingerprint);
        Assert.Equal([first.ModelId], (await EventsAsync()).Select(e => e.ModelId));

        // A new listing day arrives, and the older days' categories are shuffled among their papers:
        // judged against the promoted model on the new day's papers (which it has not seen), refused.
        await SeedAsync([.. Harvest.Shuffled([.. older, .. weekBefore], seed: 7), .. lastWeek]);
        var shuffled = await RetrainAsync();
        Assert.Equal(RetrainOutcome.NotPromoted, shuffled.Outcome);
        Assert.Equal($"promoted model {first.ModelId}", shuffled.Incumbent!.Model);
        Assert.Equal(lastWeek.Count, shuffled.Candidate!.Papers);
        Assert.True(shuffled.Candidate.Top1 < shuffled.Incumbent.Top1, shuffled.Detail);

        // No new listing day: the promoted model has seen every validation paper, so nothing can beat it yet.
        await SeedAsync([.. older, .. weekBefore]);
        var again = await RetrainAsync();
        Assert.Equal(RetrainOutcome.NotPromoted, again.Outcome);
        Assert.Contains("Training:MinComparable", again.Detail);
        Assert.Equal(first.ModelId, (await PromotedAsync())!.Id);
        Assert.Single(await EventsAsync());
        await using (var db = _database.Context())
            Assert.Equal(3, await db.Models.CountAsync());

        // Rollback: the promoted model is retired, and with none before it Enrichment goes back to its built-in one.
        await using (var scope = _services.CreateAsyncScope())
        {
            var rolledBack = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().RollbackAsync(model.Embedder.ModelId, default);
            Assert.Equal((first.ModelId!.Value, (Guid?)null), (rolledBack!.Retired, rolledBack.Promoted));
        }
        Assert.Null(await PromotedAsync());
        Assert.Equal([first.ModelId, null], (await EventsAsync()).Select(e => e.ModelId));
    }

    [PostgresFact]
    public async Task Examples_embedded_by_another_model_are_never_trained_on()
    {
        var harvest = await model.HarvestAsync();
        await SeedAsync(harvest, embeddingModel: "another-model/onnx@1");

        var report = await RetrainAsync();

        Assert.Equal(RetrainOutcome.Skipped, report.Outcome);
        Assert.Contains($"0 labelled examples embedded by {model.Embedder.ModelId}", report.Detail);
        await using var db = _database.Context();
        Assert.Empty(await db.Models.ToListAsync());
    }

    private async Task<RetrainReport> RetrainAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var run = await scope.ServiceProvider.GetRequiredService<Retrainer>().RunAsync(null, default);
        Assert.Equal(LeaseOutcome.Ran, run.Outcome);
        return run.Value!;
    }

    private async Task SeedAsync(IReadOnlyList<Harvest.Example> examples, string? embeddingModel = null)
    {
        await using var db = _database.Context();
        await db.Examples.ExecuteDeleteAsync();
        db.Examples.AddRange(examples.Select(e => new LabelledExample
        {
            PaperId = e.Paper.Id,
            Version = 1,
            Title = e.Paper.Title,
            Abstract = e.Paper.Abstract,
            Categories = [.. e.Paper.Categories],
            ListedOn = e.ListedOn,
            ContentHash = "h",
            EnrichedHash = "h",
            Embedding = e.Vector,
            EmbeddingModel = embeddingModel ?? model.Embedder.ModelId,
        }));
        await db.SaveChangesAsync();
    }

    private async Task<RegisteredModel?> PromotedAsync()
    {
        await using var db = _database.Context();
        return await db.Models.SingleOrDefaultAsync(m => m.Status == ModelStatus.Promoted);
    }

    private async Task<List<TaggerModelPromoted>> EventsAsync()
    {
        await using var db = _database.Context();
        var rows = await db.Set<OutboxMessage>().OrderBy(m => m.Id).ToListAsync();
        return rows.Select(r => JsonSerializer.Deserialize<TaggerModelPromoted>(r.Body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!).ToList();
    }

    private static TaggerModel Load(string json) => TaggerModel.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));
}
