using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Papers.Contracts;
using Papers.Ingest.Consumers;
using Papers.Ingest.Data;
using Papers.Ingest.Harvest;
using Papers.Ingest.Intake;
using Papers.Ingest.Parsing;
using Papers.Ingest.Sources;
using Papers.Ingest.Tests.Harvest;
using Papers.Ingest.Tests.Sources;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Messaging;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;

namespace Papers.Ingest.Tests;

/// <summary>
/// Ingest on two replicas sharing one database (a SQLite file or PostgreSQL): two intakes of the
/// same new paper, or of two revisions of a known one, interleaved the worst way (A reads, B
/// commits, A writes), end with one row and one event per version; two submissions of one paper
/// on two replicas, likewise; a scheduled harvest runs once for its occurrence.
/// </summary>
public sealed class ReplicaTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static SourcePaper Paper(string title, string @abstract, string? arxivId = null) =>
        new(arxivId, title, @abstract, [new PaperAuthor("Ada Lovelace")], "cs.LG", ["cs.LG"], [new PaperVersion(1, null)], null, new DateOnly(2026, 11, 30), "file");

    [Fact]
    public async Task Sqlite_two_intakes_revising_one_paper_at_once_give_each_revision_its_own_version() =>
        await Two_intakes_revising_one_paper_at_once_give_each_revision_its_own_version(await SqliteFileTestDatabase<IngestDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_two_intakes_revising_one_paper_at_once_give_each_revision_its_own_version() =>
        await Two_intakes_revising_one_paper_at_once_give_each_revision_its_own_version(await PostgresTestDatabase<IngestDbContext>.CreateAsync());

    private static async Task Two_intakes_revising_one_paper_at_once_give_each_revision_its_own_version(TestDatabase<IngestDbContext> database)
    {
        await using var _ = database;
        await using (var seed = database.Context())
            await new PaperIntake(seed, TimeProvider.System).IngestAsync([Paper("A paper", "First abstract.")], default);

        // A has read version 1 and is about to write its revision as version 2 when B commits another revision as version 2.
        var interleave = new InterleavedSave(db => db.ChangeTracker.Entries<SeenPaper>().Any(), async () =>
        {
            await using var b = database.Context();
            await new PaperIntake(b, TimeProvider.System).IngestAsync([Paper("A paper", "Second abstract, by B.")], default);
        });
        await using var a = database.Context(interleave);
        var summary = await new PaperIntake(a, TimeProvider.System).IngestAsync([Paper("A paper", "Third abstract, by A.")], default);

        Assert.Equal(1, summary.Revised);
        Assert.True(Assert.Single(interleave.Failures) is DbUpdateConcurrencyException);
        var events = await EventsAsync(database);
        Assert.Equal([(1, "First abstract."), (2, "Second abstract, by B."), (3, "Third abstract, by A.")], events.Select(e => (e.Version, e.Abstract)));
        await using var db = database.Context();
        var seen = await db.Papers.SingleAsync();
        Assert.Equal((3, events[2].ContentHash), (seen.Version, seen.ContentHash));
    }

    [Fact]
    public async Task Sqlite_two_intakes_of_the_same_new_paper_at_once_record_it_once() =>
        await Two_intakes_of_the_same_new_paper_at_once_record_it_once(await SqliteFileTestDatabase<IngestDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_two_intakes_of_the_same_new_paper_at_once_record_it_once() =>
        await Two_intakes_of_the_same_new_paper_at_once_record_it_once(await PostgresTestDatabase<IngestDbContext>.CreateAsync());

    private static async Task Two_intakes_of_the_same_new_paper_at_once_record_it_once(TestDatabase<IngestDbContext> database)
    {
        await using var _ = database;
        var paper = Paper("Attention is all you need", "Transformers.", "1706.03762");
        var interleave = new InterleavedSave(db => db.ChangeTracker.Entries<SeenPaper>().Any(), async () =>
        {
            await using var b = database.Context();
            await new PaperIntake(b, TimeProvider.System).IngestAsync([paper], default);
        });
        await using var a = database.Context(interleave);

        var summary = await new PaperIntake(a, TimeProvider.System).IngestAsync([paper], default);

        Assert.Equal((0, 0, 1), (summary.New, summary.Revised, summary.Unchanged));
        Assert.True(Assert.Single(interleave.Failures) is DbUpdateException);
        Assert.Single(await EventsAsync(database));
    }

    [Fact]
    public async Task Sqlite_a_harvest_page_that_meets_a_concurrent_intake_is_staged_again_and_saved_with_its_cursor() =>
        await A_harvest_page_that_meets_a_concurrent_intake_is_staged_again_and_saved_with_its_cursor(await SqliteFileTestDatabase<IngestDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_a_harvest_page_that_meets_a_concurrent_intake_is_staged_again_and_saved_with_its_cursor() =>
        await A_harvest_page_that_meets_a_concurrent_intake_is_staged_again_and_saved_with_its_cursor(await PostgresTestDatabase<IngestDbContext>.CreateAsync());

    private static async Task A_harvest_page_that_meets_a_concurrent_intake_is_staged_again_and_saved_with_its_cursor(TestDatabase<IngestDbContext> database)
    {
        await using var _ = database;
        var page = new[] { Paper("Paper one", "First.", "2401.00001"), Paper("Paper two", "Second.", "2401.00002") };
        // A submission on another replica takes in the page's second paper between the harvest's read and its save.
        var interleave = new InterleavedSave(db => db.ChangeTracker.Entries<HarvestCursorRow>().Any(), async () =>
        {
            await using var b = database.Context();
            await new PaperIntake(b, TimeProvider.System).IngestAsync([page[1]], default);
        });
        await using var a = database.Context(interleave);
        var harvest = new HarvestIntake(a, new PaperIntake(a, TimeProvider.System), TimeProvider.System);
        var tally = harvest.StartTally();

        await harvest.HandOnAsync(page, default);
        await harvest.SaveAsync(new HarvestCursor("arxiv-oai:test", new DateOnly(2024, 1, 1), "token-2", null, DateTimeOffset.UtcNow), default);

        Assert.True(Assert.Single(interleave.Failures) is DbUpdateException);
        Assert.Equal((2, 1, 0, 1), (tally.Fetched, tally.New, tally.Revised, tally.Unchanged));
        Assert.Equal(["2401.00002", "2401.00001"], (await EventsAsync(database)).Select(e => e.PaperId));
        await using var db = database.Context();
        Assert.Equal("token-2", (await db.HarvestCursors.SingleAsync()).ResumptionToken);
    }

    [Fact]
    public async Task Sqlite_two_submissions_of_one_new_paper_on_two_replicas_ingest_it_once() =>
        await Two_submissions_of_one_new_paper_on_two_replicas_ingest_it_once(await SqliteFileTestDatabase<IngestDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_two_submissions_of_one_new_paper_on_two_replicas_ingest_it_once() =>
        await Two_submissions_of_one_new_paper_on_two_replicas_ingest_it_once(await PostgresTestDatabase<IngestDbContext>.CreateAsync());

    private static async Task Two_submissions_of_one_new_paper_on_two_replicas_ingest_it_once(TestDatabase<IngestDbContext> database)
    {
        await using var _ = database;
        var (first, second) = (Submission("Evolutionary routing"), Submission("Evolutionary  routing!"));
        await using var b = await SubmissionReplica(database);
        // Neither replica knows the paper; B commits it, then A's commit meets its key.
        var interleave = new InterleavedSave(db => db.ChangeTracker.Entries<ProcessedSubmission>().Any(), async () =>
        {
            await b.PublishAsync(second, Guid.NewGuid());
            await Eventually.UntilAsync(() => CountAsync(database, db => db.Submissions), n => n == 1, Patience, "B to commit its submission");
        });
        await using var a = await SubmissionReplica(database, interleave);

        var id = Guid.NewGuid();
        await a.PublishAsync(first, id);
        await a.WaitConsumedAsync(id, Patience);

        Assert.True(Assert.Single(interleave.Failures) is DbUpdateException);
        Assert.Equal(2, await CountAsync(database, db => db.Submissions));
        Assert.Equal(1, await CountAsync(database, db => db.Papers));
        var paper = Assert.Single(await EventsAsync(database));
        await using var db = database.Context();
        Assert.All(await db.Submissions.ToListAsync(), s => Assert.Equal(paper.PaperId, s.PaperId));
    }

    [PostgresFact]
    public async Task Postgres_a_scheduled_harvest_runs_once_for_its_occurrence_on_two_replicas()
    {
        await using var database = await PostgresTestDatabase<IngestDbContext>.CreateAsync();
        await using var oai = await ReplayServer.StartAsync((context, _) => ReplayServer.Xml(context, OaiXml.Page(["2401.00001", "2401.00002"])));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 5, 59, 59, TimeSpan.Zero));
        await using var a = await HarvestReplicaAsync(database, oai, clock);
        await using var b = await HarvestReplicaAsync(database, oai, clock);
        bool Waiting(HarvestReplica r) => r.Logs.Of(typeof(OaiHarvestSchedule).FullName!).Any(m => m.Contains("next run at 2026-11-30 06:00:00Z", StringComparison.Ordinal));
        await Eventually.UntilAsync(() => Task.FromResult(Waiting(a) && Waiting(b)), w => w, Patience, "both replicas to wait for 06:00");

        // 06:00: both wake. One harvests; the other finds the lease taken, or the occurrence done.
        await Eventually.UntilAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(a.Finished(clock) && b.Finished(clock));
        }, done => done, Patience, "both replicas to finish the 06:00 occurrence");

        Assert.Single(oai.Requests);
        Assert.Equal(2, await CountAsync(database, db => db.Papers));
        Assert.Single([.. a.Logs.Of(typeof(OaiHarvestSchedule).FullName!), .. b.Logs.Of(typeof(OaiHarvestSchedule).FullName!)],
            m => m.Contains("fetched 2", StringComparison.Ordinal));
        await using var db = database.Context();
        var run = await db.Set<JobRun>().SingleAsync();
        Assert.Equal((OaiHarvestSchedule.JobName, "2026-11-30T06:00Z"), (run.Job, run.Occurrence));
    }

    private sealed record HarvestReplica(IHost Host, CapturedLogs Logs) : IAsyncDisposable
    {
        /// <summary>The replica has dealt with the 06:00 occurrence and waits for the next day's.</summary>
        public bool Finished(TimeProvider clock) =>
            Logs.Of(typeof(OaiHarvestSchedule).FullName!).Any(m => m.Contains("next run at 2026-12-01 06:00:00Z", StringComparison.Ordinal));

        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync();
            Host.Dispose();
        }
    }

    /// <summary>An Ingest replica as its host composes it (the intake, the OAI-PMH schedule, the bus), on a fake clock.</summary>
    private static async Task<HarvestReplica> HarvestReplicaAsync(PostgresTestDatabase<IngestDbContext> database, ReplayServer oai, FakeTimeProvider clock)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Ingest"] = database.ConnectionString,
            ["Sources:ArxivOai:BaseUrl"] = oai.Url("/oai").ToString(),
            ["Sources:ArxivOai:Cron"] = "0 6 * * *",
            ["Sources:ArxivOai:MinDelay"] = "00:00:00",
        });
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddIngestIntake();
        builder.Services.AddHostedService<OaiHarvestSchedule>();
        builder.AddMessaging();
        var host = builder.Build();
        await host.StartAsync();
        return new HarvestReplica(host, logs);
    }

    private static Task<ReplicaHost<IngestDbContext>> SubmissionReplica(TestDatabase<IngestDbContext> database, params InterleavedSave[] interleave) =>
        ReplicaHost<IngestDbContext>.StartAsync(database, new ServiceModule("Ingest", bus => bus.AddConsumer<SubmitPaperConsumer>()), services =>
        {
            services.AddLogging();
            services.AddScoped<PaperIntake>();
            services.AddIngestConnectors(new ConfigurationBuilder().Build());
        }, interleave);

    private static SubmitPaper Submission(string title) =>
        new(Guid.NewGuid(), null, title, "We route experts by evolution.", ["Ada Lovelace"], "v-reader", new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));

    private static async Task<List<PaperIngested>> EventsAsync(TestDatabase<IngestDbContext> database)
    {
        await using var db = database.Context();
        return (await db.Set<OutboxMessage>().OrderBy(m => m.Id).ToListAsync()).Select(m => JsonSerializer.Deserialize<PaperIngested>(m.Body)!).ToList();
    }

    private static async Task<int> CountAsync<T>(TestDatabase<IngestDbContext> database, Func<IngestDbContext, IQueryable<T>> rows)
    {
        await using var db = database.Context();
        return await rows(db).CountAsync();
    }
}
