using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Papers.Api;
using Papers.Api.Data;
using Papers.Api.Search;
using Papers.Contracts;
using Papers.Enrichment.Consumers;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Messaging;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;
using Papers.Training.Data;
using Papers.Training.Retraining;

namespace Papers.Training.Tests;

/// <summary>
/// Re-tagging after a promotion, through the pipeline on a real broker and real databases: Training's
/// registry promotes (its outbox publishes <c>TaggerModelPromoted</c>), two Api replicas track it and
/// sweep under their lease (small batches, few in flight), Enrichment tags the stored vectors and the
/// Api stores the tags. Real cs papers with the real embedding model.
/// </summary>
[Collection(ModelCollection.Name)]
public sealed class RetaggingTests(EmbedderFixture model) : IAsyncLifetime
{
    private const int InFlight = 12;

    private readonly Uri _amqp = new(Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ") ?? "amqp://unset/");
    private readonly string _vhost = $"retagging-{Guid.NewGuid():N}";
    private readonly CapturedLogs _logs = new();
    private RabbitMqManagement? _management;
    private PostgresTestDatabase<ApiDbContext> _api = null!;
    private PostgresTestDatabase<TrainingDbContext> _training = null!;
    private readonly List<IHost> _hosts = [];

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ_MANAGEMENT") is not { } management || Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable) is null)
            return;
        _management = new RabbitMqManagement(new Uri(management), _amqp);
        await _management.CreateVhostAsync(_vhost);
        _api = await PostgresTestDatabase<ApiDbContext>.CreateAsync();
        _training = await PostgresTestDatabase<TrainingDbContext>.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts.ToList())
            await StopAsync(host);
        if (_management is null)
            return;
        await _management.DeleteVhostAsync(_vhost);
        _management.Dispose();
        await _api.DisposeAsync();
        await _training.DisposeAsync();
    }

    [RabbitMqFact]
    public async Task Every_predicted_paper_is_retagged_once_per_promoted_model_and_a_second_promotion_mid_run_supersedes_the_first()
    {
        var harvest = await model.HarvestAsync();
        // A quarter came from arXiv with their authors' categories; the rest were imported without (their tags are predicted).
        var fromArxiv = harvest.Where((_, i) => i % 4 == 0).Select(e => e.Paper.Id).ToHashSet();
        await SeedAsync(harvest, fromArxiv);
        var predicted = harvest.Count - fromArxiv.Count;
        var (first, second) = (await RegisterAsync(temperatureFactor: 1), await RegisterAsync(temperatureFactor: 2));

        var training = await StartTrainingAndEnrichmentAsync();
        var one = await StartApiAsync();
        var two = await StartApiAsync();

        await PromoteAsync(training, first);
        await Eventually.UntilAsync(() => TaggedByAsync(first), n => n >= 2 * InFlight, TimeSpan.FromMinutes(2), "the first model's re-tagging to be under way");
        await PromoteAsync(training, second);
        // The replica that may be sweeping goes away mid-run: the other carries on from the rows.
        await StopAsync(one);
        await Eventually.UntilAsync(() => TaggedByAsync(second), n => n == predicted, TimeSpan.FromMinutes(3), $"all {predicted} predicted papers re-tagged by the second model");

        var requests = await RequestsAsync();
        var tagged = await TaggedByAsync(first);
        Assert.Equal(0, tagged);
        // Once per paper and model: every predicted paper asked once for the second model; some for the first, none twice.
        Assert.Equal(predicted, requests.Count(r => r.TaggerModelId == second));
        Assert.All(requests.GroupBy(r => (r.PaperId, r.TaggerModelId)), g => Assert.Single(g));
        Assert.InRange(requests.Count(r => r.TaggerModelId == first), 2 * InFlight, predicted - 1);
        Assert.DoesNotContain(requests, r => fromArxiv.Contains(r.PaperId));
        Assert.All(requests, r => Assert.Equal(model.Embedder.ModelId, r.EmbeddingModel));

        await using var db = _api.Context();
        var rows = await db.Enrichments.AsNoTracking().ToListAsync();
        Assert.All(rows.Where(e => fromArxiv.Contains(e.PaperId)), e => Assert.True(e.TaggerModelId is null && e.RetagRequestedAt is null && e.Tags.Count == 0, $"{e.PaperId} has its arXiv categories and was re-tagged"));
        // The stored tags are the second model's for each paper's vector.
        var retagged = rows.Where(e => !fromArxiv.Contains(e.PaperId)).OrderBy(e => e.PaperId).ToList();
        var holder = training.Services.GetRequiredService<TaggerModelHolder>();
        var (expected, by) = await holder.TagAsync(training.Services.GetRequiredService<ITopicTagger>(), retagged.Select(e => e.Embedding).ToList(), default);
        Assert.Equal(second, by);
        Assert.All(retagged.Zip(expected), x =>
        {
            var (e, tags) = x;
            Assert.Equal(second, e.TaggerModelId);
            Assert.Equal(1, e.RetagAttempts);
            Assert.Equal(tags.PredictedPrimaryCategory, e.PredictedPrimaryCategory);
            Assert.Equal(tags.Tags.Select(t => t.Topic), e.Tags.Select(t => t.Topic));
        });
        var progress = await two.Services.GetRequiredService<Papers.Api.Retagging.RetaggingTarget>().ProgressAsync(db, default);
        Assert.Equal(new Papers.Api.Retagging.RetaggingProgress(0, 0, 0), progress);
    }

    [RabbitMqFact]
    public async Task Requests_and_answers_for_a_model_that_is_not_the_promoted_one_are_ignored()
    {
        var harvest = (await model.HarvestAsync()).Take(20).ToList();
        await SeedAsync(harvest, fromArxiv: new HashSet<string>());
        var promoted = await RegisterAsync(temperatureFactor: 1);
        var training = await StartTrainingAndEnrichmentAsync();
        await StartApiAsync();
        await PromoteAsync(training, promoted);
        await Eventually.UntilAsync(() => TaggedByAsync(promoted), n => n == harvest.Count, TimeSpan.FromMinutes(2), "the papers re-tagged by the promoted model");

        var paper = harvest[0];
        var stranger = Guid.NewGuid();
        var bus = training.Services.GetRequiredService<IBus>();
        // A request for a model that is not promoted (an old one, superseded on the way): Enrichment drops it.
        await bus.Publish(new RetagPaper(paper.Paper.Id, 1, Hash(paper.Paper.Id), model.Embedder.ModelId, paper.Vector, stranger, "test", DateTimeOffset.UtcNow));
        await Eventually.UntilAsync(() => Task.FromResult(_logs.Of(typeof(RetagPaperConsumer).FullName!).Any(l => l.Contains("not the promoted one"))),
            TimeSpan.FromSeconds(30), "Enrichment to drop the request");
        // An answer from such a model (or for another embedding model): the Api drops it.
        await bus.Publish(new PaperRetagged(paper.Paper.Id, 1, Hash(paper.Paper.Id), model.Embedder.ModelId, stranger, [new TopicTag("math.AG", "Algebraic Geometry", 0.99)], "math.AG", DateTimeOffset.UtcNow));
        await bus.Publish(new PaperRetagged(paper.Paper.Id, 1, Hash(paper.Paper.Id), "another-model/onnx@1", promoted, [new TopicTag("math.AG", "Algebraic Geometry", 0.99)], "math.AG", DateTimeOffset.UtcNow));
        await Eventually.UntilAsync(() => Task.FromResult(_logs.Of(typeof(Papers.Api.Consumers.IndexRetagConsumer).FullName!).Count(l => l.StartsWith("Dropped"))),
            n => n == 2, TimeSpan.FromSeconds(30), "the Api to drop both answers");

        await using var db = _api.Context();
        var row = await db.Enrichments.AsNoTracking().SingleAsync(e => e.PaperId == paper.Paper.Id);
        Assert.Equal(promoted, row.TaggerModelId);
        Assert.NotEqual("math.AG", row.PredictedPrimaryCategory);
        Assert.DoesNotContain(await RequestsAsync(), r => r.TaggerModelId == stranger);
        Assert.Equal(harvest.Count, (await RequestsAsync()).Count);
    }

    private static string Hash(string paperId) => "h-" + paperId;

    /// <summary>The papers and their enrichments as the Api stored them before any promotion (built-in tagger, tags left empty so a re-tagging shows).</summary>
    private async Task SeedAsync(IReadOnlyList<Harvest.Example> papers, IReadOnlySet<string> fromArxiv)
    {
        await using var db = _api.Context();
        foreach (var (e, i) in papers.Select((e, i) => (e, i)))
        {
            var categories = fromArxiv.Contains(e.Paper.Id) ? e.Paper.Categories.ToList() : [];
            db.Papers.Add(new PaperRecord
            {
                PaperId = e.Paper.Id,
                Version = 1,
                Title = e.Paper.Title,
                Abstract = e.Paper.Abstract,
                Source = "file",
                PrimaryCategory = categories.FirstOrDefault(),
                Categories = categories,
                ContentHash = Hash(e.Paper.Id),
                ListedOn = e.ListedOn.AddDays(-(i % 30)),
                UpdatedAt = DateTime.UtcNow,
            });
            db.Enrichments.Add(new EnrichmentRecord { PaperId = e.Paper.Id, Version = 1, ContentHash = Hash(e.Paper.Id), Embedding = e.Vector, EmbeddingModel = model.Embedder.ModelId, UpdatedAt = DateTime.UtcNow });
        }
        await db.SaveChangesAsync();
    }

    /// <summary>A registered (not yet promoted) model: the built-in one with its temperature scaled, so each registered model tags differently.</summary>
    private async Task<Guid> RegisterAsync(double temperatureFactor)
    {
        using var stream = new MemoryStream();
        TaggerModel.LoadEmbedded()!.Save(stream, "test");
        var node = JsonNode.Parse(Encoding.UTF8.GetString(stream.ToArray()))!;
        node["temperature"] = node["temperature"]!.GetValue<double>() * temperatureFactor;
        var registered = new RegisteredModel
        {
            Id = Guid.NewGuid(),
            CreatedAt = DateTime.UtcNow,
            EmbeddingModel = model.Embedder.ModelId,
            ReportJson = "{}",
            ModelJson = node.ToJsonString(),
            Status = ModelStatus.Candidate,
        };
        await using var db = _training.Context();
        db.Models.Add(registered);
        await db.SaveChangesAsync();
        return registered.Id;
    }

    private static async Task PromoteAsync(IHost training, Guid id)
    {
        await using var scope = training.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrainingDbContext>();
        await scope.ServiceProvider.GetRequiredService<ModelRegistry>().PromoteAsync(await db.Models.SingleAsync(m => m.Id == id), "test", default);
    }

    private async Task<int> TaggedByAsync(Guid taggerModel)
    {
        await using var db = _api.Context();
        return await db.Enrichments.CountAsync(e => e.TaggerModelId == taggerModel);
    }

    /// <summary>Every re-tagging request the Api replicas sent (their outbox keeps sent rows for an hour).</summary>
    private async Task<List<RetagPaper>> RequestsAsync()
    {
        await using var db = _api.Context();
        var bodies = await db.Set<OutboxMessage>().Where(m => m.MessageType == typeof(RetagPaper).FullName).Select(m => m.Body).ToListAsync();
        return bodies.Select(b => JsonSerializer.Deserialize<RetagPaper>(b)!).ToList();
    }

    /// <summary>Training's registry and outbox with Enrichment's tagging beside it (as the all-in-one host composes them: the model read from the registry).</summary>
    private Task<IHost> StartTrainingAndEnrichmentAsync() => StartAsync(builder =>
    {
        builder.AddServiceDbContext<TrainingDbContext>("Training");
        builder.AddOutbox<TrainingDbContext>();
        builder.Services.AddScoped<ModelRegistry>();
        builder.Services.AddSingleton<ITextEmbedder>(model.Embedder);
        builder.Services.AddSingleton<ITaggerModelSource, RegistryTaggerModelSource>();
        builder.Services.AddOptions<TaggerOptions>();
        builder.Services.AddOptions<CustomTopicsOptions>();
        builder.Services.AddSingleton<TaggerModelHolder>();
        builder.Services.AddSingleton<ITopicTagger, TopicTagger>();
    }, new ServiceModule("Enrichment", bus =>
    {
        bus.AddConsumer<RetagPaperConsumer, RetagPaperConsumerDefinition>();
        bus.AddConsumer<SwapTaggerModelConsumer, SwapTaggerModelConsumerDefinition>();
    }));

    /// <summary>One Api replica: its database, outbox, re-tagging and the consumers it takes part with.</summary>
    private Task<IHost> StartApiAsync() => StartAsync(builder =>
    {
        builder.AddServiceDbContext<ApiDbContext>("Api");
        builder.AddOutbox<ApiDbContext>();
        builder.Services.AddSingleton<SearchIndexSignal>();
        builder.Services.AddRetagging();
    }, new ServiceModule("Api", Papers.Api.Extensions.RetaggingConsumers));

    private async Task<IHost> StartAsync(Action<HostApplicationBuilder> compose, ServiceModule module)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:RabbitMq"] = new UriBuilder(_amqp) { Path = "/" + Uri.EscapeDataString(_vhost) }.Uri.ToString(),
            ["Messaging:RetryMinInterval"] = "00:00:00.020",
            ["Messaging:RetryMaxInterval"] = "00:00:00.200",
            ["Database:Provider"] = "Postgres",
            ["Database:MigrateOnStart"] = "false",
            ["ConnectionStrings:Api"] = _api.ConnectionString,
            ["ConnectionStrings:Training"] = _training.ConnectionString,
            ["Retagging:BatchSize"] = InFlight.ToString(),
            ["Retagging:MaxInFlight"] = InFlight.ToString(),
            ["Retagging:PollInterval"] = "00:00:01",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(_logs);
        builder.Logging.AddFilter(typeof(Papers.Api.Consumers.IndexRetagConsumer).FullName, LogLevel.Debug);
        builder.Services.AddSingleton(TimeProvider.System);
        compose(builder);
        builder.AddMessaging(module);
        var host = builder.Build();
        await host.StartAsync();
        _hosts.Add(host);
        return host;
    }

    private async Task StopAsync(IHost host)
    {
        if (!_hosts.Remove(host))
            return;
        await host.StopAsync();
        host.Dispose();
    }
}
