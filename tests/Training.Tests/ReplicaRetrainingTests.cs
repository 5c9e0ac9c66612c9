using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Papers.Contracts;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Messaging;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Security;
using Papers.TestSupport;
using Papers.Training.Data;
using Papers.Training.Retraining;

namespace Papers.Training.Tests;

/// <summary>
/// Two Training replicas, composed as Training's Program.cs composes the service, on one PostgreSQL
/// database and one broker: asked to retrain at the same moment (by an admin on each, or by the same
/// cron tick), exactly one trains and promotes; the other answers that a retraining is in progress,
/// or finds the tick taken.
/// </summary>
[Collection(ModelCollection.Name)]
public sealed class ReplicaRetrainingTests(EmbedderFixture model) : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly Uri _amqp = new(Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ") ?? "amqp://unset/");
    private readonly string _vhost = $"training-{Guid.NewGuid():N}";
    private RabbitMqManagement? _management;
    private PostgresTestDatabase<TrainingDbContext> _database = null!;
    private PostgresTestDatabase<AccessDbContext> _identity = null!;
    private readonly List<WebApplication> _replicas = [];

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ_MANAGEMENT") is not { } management || Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable) is null)
            return;
        _management = new RabbitMqManagement(new Uri(management), _amqp);
        await _management.CreateVhostAsync(_vhost);
        _database = await PostgresTestDatabase<TrainingDbContext>.CreateAsync();
        _identity = await PostgresTestDatabase<AccessDbContext>.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.StopAsync();
            await replica.DisposeAsync();
        }
        if (_management is null)
            return;
        await _management.DeleteVhostAsync(_vhost);
        _management.Dispose();
        await _database.DisposeAsync();
        await _identity.DisposeAsync();
    }

    [RabbitMqFact]
    public async Task Two_replicas_asked_at_once_retrain_once_and_the_other_says_it_is_busy()
    {
        await SeedAsync(await model.HarvestAsync());
        var one = await StartAsync();
        var two = await StartAsync();
        using var adminOne = await AdminAsync(one);
        using var adminTwo = await AdminAsync(two);

        // An admin on each replica, at the same moment.
        var answers = await Task.WhenAll(adminOne.PostAsync("/api/training/retrain", null), adminTwo.PostAsync("/api/training/retrain", null));

        var ran = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        var busy = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Conflict);
        var report = (await ran.Content.ReadFromJsonAsync<RetrainReport>(Json))!;
        Assert.True(report.Outcome == RetrainOutcome.Promoted, report.Detail);
        var problem = (await busy.Content.ReadFromJsonAsync<ProblemDetails>())!;
        Assert.Equal("A retraining is in progress", problem.Title);
        Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
        await using (var db = _database.Context())
            Assert.Equal([report.ModelId!.Value], await db.Models.Select(m => m.Id).ToListAsync());

        // The same cron tick on both: one trains, the other finds the lease held or the tick done.
        const string tick = "2026-11-30T07:00Z";
        var outcomes = await Task.WhenAll(RunScheduledAsync(one, tick), RunScheduledAsync(two, tick));
        Assert.Single(outcomes, o => o == LeaseOutcome.Ran);
        Assert.Single(outcomes, o => o is LeaseOutcome.Busy or LeaseOutcome.AlreadyDone);
        Assert.Equal(LeaseOutcome.AlreadyDone, await RunScheduledAsync(two, tick));

        await using var after = _database.Context();
        Assert.Equal(2, await after.Models.CountAsync());
        Assert.Equal(1, await after.Set<JobRun>().CountAsync(r => r.Job == Retrainer.Job && r.Occurrence == tick));
        // One promotion announced in all: the second model had nothing new to beat the first on.
        var events = await after.Set<OutboxMessage>().Where(m => m.MessageType == typeof(TaggerModelPromoted).FullName).CountAsync();
        Assert.Equal(1, events);
    }

    private static async Task<LeaseOutcome> RunScheduledAsync(WebApplication replica, string occurrence)
    {
        await using var scope = replica.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<Retrainer>().RunAsync(occurrence, default)).Outcome;
    }

    private async Task SeedAsync(IReadOnlyList<Harvest.Example> examples)
    {
        await using var db = _database.Context();
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
            EmbeddingModel = model.Embedder.ModelId,
        }));
        await db.SaveChangesAsync();
    }

    /// <summary>One replica as Training's Program.cs composes it, embedding with the test's model instead of calling Enrichment.</summary>
    private async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "Papers.Training" });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:RabbitMq"] = new UriBuilder(_amqp) { Path = "/" + Uri.EscapeDataString(_vhost) }.Uri.ToString(),
            ["Database:Provider"] = "Postgres",
            ["Database:MigrateOnStart"] = "false",
            ["ConnectionStrings:Training"] = _database.ConnectionString,
            ["ConnectionStrings:Identity"] = _identity.ConnectionString,
            ["Training:Cron"] = "",
            ["Training:UseBaseSet"] = "false",
            ["Training:MinExamples"] = "50",
            ["Training:WindowMonths"] = "12",
        });
        builder.AddServiceDefaults();
        builder.Services.AddSingleton<ITextEmbedder>(model.Embedder);
        var training = builder.AddTraining();
        builder.AddMessaging(training);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapTraining();
        await app.StartAsync();
        _replicas.Add(app);
        return app;
    }

    private static async Task<HttpClient> AdminAsync(WebApplication replica)
    {
        var key = await replica.Services.GetRequiredService<ApiKeyStore>().IssueAsync($"admin {Guid.NewGuid():N}", [Scopes.Admin], 10_000, default);
        var http = new HttpClient { BaseAddress = new Uri(replica.Urls.Single()), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Key);
        return http;
    }
}
