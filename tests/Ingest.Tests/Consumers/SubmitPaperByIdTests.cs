using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Papers.Contracts;
using Papers.Ingest.Consumers;
using Papers.Ingest.Data;
using Papers.Ingest.Intake;
using Papers.Ingest.Sources;
using Papers.Ingest.Tests.Sources;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;

namespace Papers.Ingest.Tests.Consumers;

/// <summary>A submission by arXiv id alone: the metadata comes from the arXiv API (a local server
/// replaying recorded Atom answers), or the message faults with a clear reason.</summary>
public sealed class SubmitPaperByIdTests : IDisposable
{
    private const string Recorded = "arxiv-api/arxiv.py_2026_recorded/";
    private readonly SqliteTestDatabase<IngestDbContext> _database = new();

    public void Dispose() => _database.Dispose();

    private static Task<ReplayServer> StartArxiv() => ReplayServer.StartAsync((context, request) =>
        ReplayServer.Xml(context, Fixture.AtomBody(Recorded + (request["id_list"] == "1605.08386"
            ? "id_1605.08386_s0_m100_199195aa31ad.json"    // holds 1605.08386
            : "id_0000.0000_s0_m100_8b51d9633a68.json"))));  // an empty feed: no such paper

    private async Task<(ITestHarness Harness, ServiceProvider Provider)> StartAsync(Uri? arxivApi)
    {
        var settings = new Dictionary<string, string?> { ["Sources:ArxivApi:MinDelay"] = "00:00:00" };
        if (arxivApi is not null)
            settings["Sources:ArxivApi:BaseUrl"] = arxivApi.ToString();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<IngestDbContext>(_database.Configure);
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<PaperIntake>();
        services.AddIngestConnectors(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddMassTransitTestHarness(x => x.AddConsumer<SubmitPaperConsumer>());
        var provider = services.BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return (harness, provider);
    }

    private static SubmitPaper ById(string id) => new(Guid.NewGuid(), id, null, null, null, "ada@example.org", new DateTimeOffset(2026, 6, 12, 9, 0, 0, TimeSpan.Zero));

    private static async Task<Exception?> ConsumeAsync(ITestHarness harness, SubmitPaper command)
    {
        await harness.Bus.Publish(command);
        var consumer = harness.GetConsumerHarness<SubmitPaperConsumer>();
        Assert.True(await consumer.Consumed.Any<SubmitPaper>(m => m.Context.Message.SubmissionId == command.SubmissionId));
        return consumer.Consumed.Select<SubmitPaper>(m => m.Context.Message.SubmissionId == command.SubmissionId).Single().Exception;
    }

    [Fact]
    public async Task The_metadata_of_a_paper_submitted_by_id_alone_is_fetched_from_the_arXiv_API()
    {
        await using var arxiv = await StartArxiv();
        var (harness, provider) = await StartAsync(arxiv.Url("/api/query"));
        await using var _ = provider;

        Assert.Null(await ConsumeAsync(harness, ById("1605.08386v1")));

        Assert.Equal("1605.08386", Assert.Single(arxiv.Requests)["id_list"]);
        await using var db = _database.Context();
        Assert.Equal("1605.08386", (await db.Submissions.SingleAsync()).PaperId);
        var ingested = JsonSerializer.Deserialize<PaperIngested>((await db.Set<OutboxMessage>().SingleAsync()).Body)!;
        Assert.Equal(("1605.08386", "submission", "ada@example.org"), (ingested.PaperId, ingested.Source, ingested.SubmittedBy));
        Assert.False(string.IsNullOrWhiteSpace(ingested.Title));
        Assert.False(string.IsNullOrWhiteSpace(ingested.Abstract));
        Assert.NotEmpty(ingested.Authors);

        // The same paper submitted again (a fresh harness: its inactivity wait is one-shot) needs no second fetch.
        var (again, secondProvider) = await StartAsync(arxiv.Url("/api/query"));
        await using var __ = secondProvider;
        Assert.Null(await ConsumeAsync(again, ById("1605.08386")));
        Assert.Single(arxiv.Requests);
        Assert.Equal(2, await db.Submissions.CountAsync());
    }

    [Fact]
    public async Task An_id_arXiv_does_not_have_fails_the_message_with_the_reason()
    {
        await using var arxiv = await StartArxiv();
        var (harness, provider) = await StartAsync(arxiv.Url("/api/query"));
        await using var _ = provider;

        var error = await ConsumeAsync(harness, ById("2401.99999"));

        Assert.IsType<SubmissionException>(error);
        Assert.Contains("arXiv has no paper '2401.99999'", error.Message);
        Assert.True(await harness.Published.Any<Fault<SubmitPaper>>());
        await using var db = _database.Context();
        Assert.Empty(await db.Submissions.ToListAsync());
    }

    [Fact]
    public async Task Without_a_configured_arXiv_API_a_submission_by_id_alone_fails_clearly()
    {
        var (harness, provider) = await StartAsync(arxivApi: null);
        await using var _ = provider;

        var error = await ConsumeAsync(harness, ById("2401.00001"));

        Assert.IsType<SubmissionException>(error);
        Assert.Contains("Sources:ArxivApi:BaseUrl", error.Message);
    }
}
