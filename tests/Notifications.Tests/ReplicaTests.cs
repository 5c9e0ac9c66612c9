using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Papers.Contracts;
using Papers.Notifications.Apis;
using Papers.Notifications.Consumers;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Mail;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Security;
using Papers.TestSupport;

namespace Papers.Notifications.Tests;

/// <summary>
/// Notifications on two replicas sharing one database (PostgreSQL; SQLite, the embedded default,
/// is one process): digest runs take the cluster-wide lease, so two at once send each subscriber
/// one digest, and a scheduled occurrence runs once; the candidate consumer is correct with a
/// paper's two events taken at once and with events out of order.
/// </summary>
public sealed class ReplicaTests : IDisposable
{
    private const int Subscribers = 30;
    private const string Model = "test/onnx@1";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly string _mail = Directory.CreateTempSubdirectory("papers-digests-").FullName;

    public void Dispose() => Directory.Delete(_mail, recursive: true);

    [PostgresFact]
    public async Task Postgres_two_replicas_running_digests_at_once_send_each_subscriber_one_digest() =>
        await Two_replicas_running_digests_at_once_send_each_subscriber_one_digest(await PostgresTestDatabase<NotificationsDbContext>.CreateAsync());

    [Fact]
    public async Task Sqlite_two_runs_at_once_in_the_one_process_send_each_subscriber_one_digest() =>
        await Two_replicas_running_digests_at_once_send_each_subscriber_one_digest(await SqliteFileTestDatabase<NotificationsDbContext>.CreateAsync());

    private async Task Two_replicas_running_digests_at_once_send_each_subscriber_one_digest(TestDatabase<NotificationsDbContext> database)
    {
        await using var _ = database;
        await SeedAsync(database);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = Replica(database, new GatedEmbedder(gate.Task));
        await using var b = Replica(database, new GatedEmbedder(Task.CompletedTask));
        // A's run holds the lease while it composes (its embedder waits on the gate).
        var first = Runner(a).RunAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => Task.FromResult(((GatedEmbedder)a.GetRequiredService<ITextEmbedder>()).Calls), n => n > 0, Patience, "A's run to start composing");

        Assert.Equal(LeaseOutcome.Busy, (await Runner(b).RunAsync(CancellationToken.None)).Outcome);
        var manual = await SubscriptionsApi.RunDigestsAsync(Runner(b), CancellationToken.None);
        var conflict = Assert.IsType<ProblemHttpResult>(manual.Result);
        Assert.Equal((409, "A digest run is in progress"), (conflict.StatusCode, conflict.ProblemDetails.Title));

        gate.SetResult();
        var ran = await first;
        Assert.Equal(LeaseOutcome.Ran, ran.Outcome);
        Assert.Equal(new DigestRunSummary(Subscribers, Subscribers, 0, 0, 0), ran.Value);
        Assert.Equal(Subscribers, Directory.GetFiles(_mail, "*.eml").Length);

        // B wakes after A finished: this period's digests are claimed and sent; nothing is due.
        var again = await SubscriptionsApi.RunDigestsAsync(Runner(b), CancellationToken.None);
        Assert.Equal(new DigestRunSummary(0, 0, 0, 0, 0), Assert.IsType<Ok<DigestRunSummary>>(again.Result).Value);
        Assert.Equal(Subscribers, Directory.GetFiles(_mail, "*.eml").Length);
        await using var db = database.Context();
        Assert.Equal(Subscribers, await db.Deliveries.CountAsync(d => d.State == DeliveryState.Sent));
    }

    [Fact]
    public async Task Sqlite_a_papers_two_events_taken_at_once_both_land_in_its_row() =>
        await A_papers_two_events_taken_at_once_both_land_in_its_row(await SqliteFileTestDatabase<NotificationsDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_a_papers_two_events_taken_at_once_both_land_in_its_row() =>
        await A_papers_two_events_taken_at_once_both_land_in_its_row(await PostgresTestDatabase<NotificationsDbContext>.CreateAsync());

    private static async Task A_papers_two_events_taken_at_once_both_land_in_its_row(TestDatabase<NotificationsDbContext> database)
    {
        await using var _ = database;
        await using var b = await ConsumerReplica(database);
        // Neither replica finds the paper; B inserts it from PaperEnriched first, then A's insert
        // from PaperIngested meets the key. Without a retry the row would have no text, and the
        // paper would never be ready for a digest.
        var interleave = new InterleavedSave(db => db.ChangeTracker.Entries<CandidatePaper>().Any(), async () =>
        {
            await b.PublishAsync(Enriched("2501.00001", 1, "h1", DateTimeOffset.UtcNow), Guid.NewGuid());
            await Eventually.UntilAsync(() => CandidateAsync(database, "2501.00001"), c => c?.EnrichedHash == "h1", Patience, "B to store the embedding");
        });
        await using var a = await ConsumerReplica(database, interleave);

        await a.PublishAsync(Ingested("2501.00001", 1, "h1"), Guid.NewGuid());

        var paper = await Eventually.UntilAsync(() => CandidateAsync(database, "2501.00001"), c => c?.Title is not null, Patience, "A's retry to store the text");
        Assert.True(paper!.IsReady);
        Assert.True(Assert.Single(interleave.Failures) is DbUpdateException);
        Assert.Equal(2, interleave.Saves.Distinct().Count());
    }

    [Fact]
    public async Task Events_of_an_older_version_arriving_late_change_nothing()
    {
        await using var database = await SqliteFileTestDatabase<NotificationsDbContext>.CreateAsync();
        await using var replica = await ConsumerReplica(database);
        var at = DateTimeOffset.UtcNow;

        await DeliverAsync(replica, Ingested("2501.00002", 2, "h2"));
        await DeliverAsync(replica, Enriched("2501.00002", 2, "h2", at));
        await DeliverAsync(replica, Ingested("2501.00002", 1, "h1"));
        await DeliverAsync(replica, Enriched("2501.00002", 1, "h1", at.AddMinutes(1)));

        var paper = (await CandidateAsync(database, "2501.00002"))!;
        Assert.Equal((2, "h2", 2, "h2", "Title v2"), (paper.Version, paper.ContentHash, paper.EnrichedVersion, paper.EnrichedHash, paper.Title));
        Assert.True(paper.IsReady);
    }

    private static async Task DeliverAsync<T>(ReplicaHost<NotificationsDbContext> replica, T message) where T : class
    {
        var id = Guid.NewGuid();
        await replica.PublishAsync(message, id);
        await replica.WaitConsumedAsync(id, Patience);
    }

    private static Task<ReplicaHost<NotificationsDbContext>> ConsumerReplica(TestDatabase<NotificationsDbContext> database, params InterleavedSave[] interleave) =>
        ReplicaHost<NotificationsDbContext>.StartAsync(database,
            new ServiceModule("Notifications", bus => bus.AddConsumer<CollectDigestCandidateConsumer>()), null, interleave);

    private static async Task<CandidatePaper?> CandidateAsync(TestDatabase<NotificationsDbContext> database, string id)
    {
        await using var db = database.Context();
        return await db.Candidates.AsNoTracking().SingleOrDefaultAsync(c => c.PaperId == id);
    }

    /// <summary>One Notifications replica's digest pieces, on the shared database, its own lease locks, the shared pickup folder.</summary>
    private ServiceProvider Replica(TestDatabase<NotificationsDbContext> database, ITextEmbedder embedder) =>
        DigestHost.Build(database, new PickupDirectoryMailSender(Options.Create(new MailOptions { PickupDirectory = _mail })), TimeProvider.System, embedder,
            new MailOptions { PickupDirectory = _mail });

    private static DigestRunner Runner(ServiceProvider replica) => DigestHost.Runner(replica);

    private static async Task SeedAsync(TestDatabase<NotificationsDbContext> database)
    {
        await using var db = database.Context();
        var now = DateTime.UtcNow;
        for (var i = 0; i < Subscribers; i++)
            db.Subscribers.Add(new Subscriber
            {
                Id = Guid.NewGuid(),
                Email = $"reader{i}@example.org",
                UnsubscribeToken = $"token-{i}",
                Topics = ["quantization"],
                Active = true,
                // Confirmed two days ago: their latest hour came after it, so a digest is due now.
                ConfirmedAt = now.AddDays(-2),
                CreatedAt = now.AddSeconds(i),
            });
        for (var i = 0; i < 3; i++)
            db.Candidates.Add(new CandidatePaper
            {
                PaperId = $"2501.0000{i}",
                Version = 1,
                Title = $"Quantized paper {i}",
                ContentHash = "h",
                EnrichedHash = "h",
                EnrichedVersion = 1,
                Embedding = [1, 0],
                EmbeddingModel = Model,
                ArrivedAt = now.AddHours(-1),
            });
        await db.SaveChangesAsync();
    }

    private static PaperIngested Ingested(string id, int version, string hash) => new(
        id, version, $"Title v{version}", "Abstract", [], "cs.LG", ["cs.LG"], null, new DateOnly(2026, 11, 30), "file", 0,
        null, null, null, null, null, null, null, hash, DateTimeOffset.UtcNow);

    private static PaperEnriched Enriched(string id, int version, string hash, DateTimeOffset at) =>
        new(id, version, hash, [1, 0], Model, [], "cs.LG", [], at);

    /// <summary>Stands in for Enrichment's <c>/embed</c>: every text gets the same vector once <paramref name="open"/> completes.</summary>
    private sealed class GatedEmbedder(Task open) : ITextEmbedder
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string ModelId => Model;

        public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await open.WaitAsync(cancellationToken);
            return texts.Select(_ => new float[] { 1, 0 }).ToArray();
        }
    }
}
