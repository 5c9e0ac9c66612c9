using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Papers.Api.Consumers;
using Papers.Api.Data;
using Papers.Api.Reenrichment;
using Papers.Api.Search;
using Papers.Contracts;
using Papers.ServiceDefaults.Composition;
using Papers.TestSupport;

namespace Papers.Api.Tests;

/// <summary>
/// The Api's consumers with no concurrency limit, on two replicas (each its own bus, the
/// platform's retry policy) sharing one database, SQLite file or PostgreSQL. Each test interleaves
/// them the worst way: replica A reads the row, replica B reads and commits, then A writes. A's
/// write must fail (revision token or key) and its retry — a fresh DbContext, reading again —
/// must decide correctly; each change is applied and logged once.
/// </summary>
public sealed class ReplicaConsumerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static ServiceModule Consumers() => new("Api", bus =>
    {
        bus.AddConsumer<IndexPaperConsumer>();
        bus.AddConsumer<IndexEnrichmentConsumer>();
        bus.AddConsumer<TrackEmbeddingModelConsumer>();
    });

    private static void ConsumerServices(IServiceCollection services)
    {
        services.AddSingleton<SearchIndexSignal>();
        services.AddSingleton<ReenrichmentSignal>();
        services.AddSingleton<ReenrichmentTarget>();
        services.AddOptions<ReenrichmentOptions>();
    }

    private static Task<ReplicaHost<ApiDbContext>> Replica(TestDatabase<ApiDbContext> database, params Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] interceptors) =>
        ReplicaHost<ApiDbContext>.StartAsync(database, Consumers(), ConsumerServices, interceptors);

    [Fact]
    public async Task Sqlite_a_paper_version_written_from_a_stale_read_is_retried_and_the_newest_wins() =>
        await A_paper_version_written_from_a_stale_read_is_retried_and_the_newest_wins(await SqliteFileTestDatabase<ApiDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_a_paper_version_written_from_a_stale_read_is_retried_and_the_newest_wins() =>
        await A_paper_version_written_from_a_stale_read_is_retried_and_the_newest_wins(await PostgresTestDatabase<ApiDbContext>.CreateAsync());

    private static async Task A_paper_version_written_from_a_stale_read_is_retried_and_the_newest_wins(TestDatabase<ApiDbContext> database)
    {
        await using var _ = database;
        await using (var db = database.Context())
        {
            db.Papers.Add(new PaperRecord { PaperId = "2501.00001", Version = 1, Title = "v1", Abstract = "a", Source = "file", ContentHash = "h1" });
            await db.SaveChangesAsync();
        }
        await using var b = await Replica(database);
        var (v2, v3) = (Guid.NewGuid(), Guid.NewGuid());
        // A has read version 1 and is about to write version 3 when B commits version 2.
        var interleave = new InterleavedSave(db => db.ChangeTracker.Entries<PaperRecord>().Any(), async () =>
        {
            await b.PublishAsync(Ingested("2501.00001", 2, "h2"), v2);
            await Eventually.UntilAsync(() => VersionAsync(database, "2501.00001"), v => v == 2, Patience, "B to commit version 2");
        });
        await using var a = await Replica(database, interleave);

        await a.PublishAsync(Ingested("2501.00001", 3, "h3"), v3);

        await Eventually.UntilAsync(() => VersionAsync(database, "2501.00001"), v => v == 3, Patience, "A's retry to write version 3");
        await AssertAppliedOnceAsync(a, $"Applied PaperIngested 2501.00001 v3 h3 message {v3}");
        AssertRetriedInAFreshContext(interleave);
        Assert.Equal([$"Applied PaperIngested 2501.00001 v2 h2 message {v2}"], Applied(b));
        Assert.Equal([$"Received PaperIngested {v3} on index-paper"], Received(a));
        Assert.Equal([$"Received PaperIngested {v2} on index-paper"], Received(b));
    }

    [Fact]
    public async Task Sqlite_an_older_paper_version_written_from_a_stale_read_loses_to_the_newer_one() =>
        await An_older_paper_version_written_from_a_stale_read_loses_to_the_newer_one(await SqliteFileTestDatabase<ApiDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_an_older_paper_version_written_from_a_stale_read_loses_to_the_newer_one() =>
        await An_older_paper_version_written_from_a_stale_read_loses_to_the_newer_one(await PostgresTestDatabase<ApiDbContext>.CreateAsync());

    private static async Task An_older_paper_version_written_from_a_stale_read_loses_to_the_newer_one(TestDatabase<ApiDbContext> database)
    {
        await using var _ = database;
        await using (var db = database.Context())
        {
            db.Papers.Add(new PaperRecord { PaperId = "2501.00004", Version = 1, Title = "v1", Abstract = "a", Source = "file", ContentHash = "h1" });
            await db.SaveChangesAsync();
        }
        await using var b = await Replica(database);
        var (v2, v3) = (Guid.NewGuid(), Guid.NewGuid());
        // Out of order across replicas: A holds version 2 and has read version 1 when B commits
        // version 3. Without the revision A's write would put version 2 back over version 3.
        var interleave = new InterleavedSave(db => db.ChangeTracker.Entries<PaperRecord>().Any(), async () =>
        {
            await b.PublishAsync(Ingested("2501.00004", 3, "h3"), v3);
            await Eventually.UntilAsync(() => VersionAsync(database, "2501.00004"), v => v == 3, Patience, "B to commit version 3");
        });
        await using var a = await Replica(database, interleave);

        await a.PublishAsync(Ingested("2501.00004", 2, "h2"), v2);

        // A's retry reads version 3 and leaves it.
        await a.WaitConsumedAsync(v2, Patience);
        Assert.Single(interleave.Failures);
        Assert.Equal(3, await VersionAsync(database, "2501.00004"));
        Assert.Single(interleave.Saves);
        Assert.Empty(Applied(a));
        Assert.Equal([$"Applied PaperIngested 2501.00004 v3 h3 message {v3}"], Applied(b));
    }

    [Fact]
    public async Task Sqlite_two_replicas_inserting_the_same_new_paper_end_with_one_row_of_the_newer_version() =>
        await Two_replicas_inserting_the_same_new_paper_end_with_one_row_of_the_newer_version(await SqliteFileTestDatabase<ApiDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_two_replicas_inserting_the_same_new_paper_end_with_one_row_of_the_newer_version() =>
        await Two_replicas_inserting_the_same_new_paper_end_with_one_row_of_the_newer_version(await PostgresTestDatabase<ApiDbContext>.CreateAsync());

    private static async Task Two_replicas_inserting_the_same_new_paper_end_with_one_row_of_the_newer_version(TestDatabase<ApiDbContext> database)
    {
        await using var _ = database;
        await using var b = await Replica(database);
        var (v1, v2) = (Guid.NewGuid(), Guid.NewGuid());
        // Neither finds the paper; B inserts version 1 first, then A's insert of version 2 meets the key.
        var interleave = new InterleavedSave(db => db.ChangeTracker.Entries<PaperRecord>().Any(), async () =>
        {
            await b.PublishAsync(Ingested("2501.00002", 1, "h1"), v1);
            await Eventually.UntilAsync(() => VersionAsync(database, "2501.00002"), v => v == 1, Patience, "B to insert version 1");
        });
        await using var a = await Replica(database, interleave);

        await a.PublishAsync(Ingested("2501.00002", 2, "h2"), v2);

        await Eventually.UntilAsync(() => VersionAsync(database, "2501.00002"), v => v == 2, Patience, "A's retry to write version 2");
        await AssertAppliedOnceAsync(a, $"Applied PaperIngested 2501.00002 v2 h2 message {v2}");
        AssertRetriedInAFreshContext(interleave);
        await using var db = database.Context();
        Assert.Equal(1, await db.Papers.CountAsync(p => p.PaperId == "2501.00002"));
    }

    [Fact]
    public async Task Sqlite_an_enrichment_written_from_a_stale_read_is_retried_and_the_later_one_wins() =>
        await An_enrichment_written_from_a_stale_read_is_retried_and_the_later_one_wins(await SqliteFileTestDatabase<ApiDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_an_enrichment_written_from_a_stale_read_is_retried_and_the_later_one_wins() =>
        await An_enrichment_written_from_a_stale_read_is_retried_and_the_later_one_wins(await PostgresTestDatabase<ApiDbContext>.CreateAsync());

    private static async Task An_enrichment_written_from_a_stale_read_is_retried_and_the_later_one_wins(TestDatabase<ApiDbContext> database)
    {
        await using var _ = database;
        var t0 = new DateTimeOffset(2026, 11, 30, 7, 0, 0, TimeSpan.Zero);
        await using (var db = database.Context())
        {
            db.Enrichments.Add(new EnrichmentRecord { PaperId = "2501.00003", Version = 1, ContentHash = "h", Embedding = [1, 0], EmbeddingModel = "m0", EnrichedAt = t0 });
            await db.SaveChangesAsync();
        }
        await using var b = await Replica(database);
        var (older, newer) = (Guid.NewGuid(), Guid.NewGuid());
        // The same paper version re-enriched twice (a model change): A holds the later enrichment,
        // B commits the earlier one between A's read and A's write.
        var interleave = new InterleavedSave(db => db.ChangeTracker.Entries<EnrichmentRecord>().Any(), async () =>
        {
            await b.PublishAsync(Enriched("2501.00003", "m1", t0.AddMinutes(1)), older);
            await Eventually.UntilAsync(() => ModelAsync(database, "2501.00003"), m => m == "m1", Patience, "B to commit m1");
        });
        await using var a = await Replica(database, interleave);

        await a.PublishAsync(Enriched("2501.00003", "m2", t0.AddMinutes(2)), newer);

        await Eventually.UntilAsync(() => ModelAsync(database, "2501.00003"), m => m == "m2", Patience, "A's retry to write m2");
        await AssertAppliedOnceAsync(a, $"Applied PaperEnriched 2501.00003 v1 h m2 message {newer}");
        AssertRetriedInAFreshContext(interleave);
        Assert.Equal([$"Applied PaperEnriched 2501.00003 v1 h m1 message {older}"], Applied(b));

        // The earlier one delivered again (the outbox's at-least-once) changes nothing and logs nothing.
        var redelivery = Guid.NewGuid();
        await b.PublishAsync(Enriched("2501.00003", "m1", t0.AddMinutes(1)), redelivery);
        await b.WaitConsumedAsync(redelivery, Patience);
        Assert.Equal("m2", await ModelAsync(database, "2501.00003"));
        Assert.Single(Applied(b));
    }

    [Fact]
    public async Task Sqlite_an_older_replica_start_written_from_a_stale_read_does_not_replace_a_newer_one() =>
        await An_older_replica_start_written_from_a_stale_read_does_not_replace_a_newer_one(await SqliteFileTestDatabase<ApiDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_an_older_replica_start_written_from_a_stale_read_does_not_replace_a_newer_one() =>
        await An_older_replica_start_written_from_a_stale_read_does_not_replace_a_newer_one(await PostgresTestDatabase<ApiDbContext>.CreateAsync());

    private static async Task An_older_replica_start_written_from_a_stale_read_does_not_replace_a_newer_one(TestDatabase<ApiDbContext> database)
    {
        await using var _ = database;
        var t0 = new DateTime(2026, 11, 30, 7, 0, 0, DateTimeKind.Utc);
        await using (var db = database.Context())
        {
            db.EmbeddingModels.Add(new EmbeddingModelSeen { EmbeddingModel = "m", Dimensions = 384, Instance = "e-0", LastStartedAt = t0, LastAnnouncedAt = t0 });
            await db.SaveChangesAsync();
        }
        await using var b = await Replica(database);
        // Two Enrichment replicas announce the same model; A read the row before B stored the newer
        // start. Without the revision, A's write would put the older start back (a lost update).
        var interleave = new InterleavedSave(db => db.ChangeTracker.Entries<EmbeddingModelSeen>().Any(e => e.State == EntityState.Modified), async () =>
        {
            await b.PublishAsync(new EnrichmentRunning("m", 384, "e-2", t0.AddMinutes(2), t0.AddMinutes(2)), Guid.NewGuid());
            await Eventually.UntilAsync(() => StartedAsync(database), s => s == t0.AddMinutes(2), Patience, "B to store the newer start");
        });
        await using var a = await Replica(database, interleave);

        var announcement = Guid.NewGuid();
        await a.PublishAsync(new EnrichmentRunning("m", 384, "e-1", t0.AddMinutes(1), t0.AddMinutes(1)), announcement);

        await a.WaitConsumedAsync(announcement, Patience);
        AssertRetriedInAFreshContext(interleave);
        Assert.Equal(t0.AddMinutes(2), await StartedAsync(database));
        await using var check = database.Context();
        Assert.Equal("e-2", (await check.EmbeddingModels.SingleAsync()).Instance);
    }

    /// <summary>A's first save failed on the race and its retry saved in another DbContext.</summary>
    private static void AssertRetriedInAFreshContext(InterleavedSave interleave)
    {
        var failure = Assert.Single(interleave.Failures);
        Assert.True(failure is DbUpdateException, $"expected a conflict, got {failure}");
        var saves = interleave.Saves.ToList();
        Assert.Equal(2, saves.Count);
        Assert.NotEqual(saves[0], saves[1]);
    }

    private static async Task AssertAppliedOnceAsync(ReplicaHost<ApiDbContext> replica, string line)
    {
        await Eventually.UntilAsync(() => Task.FromResult(Applied(replica)), l => l.Contains(line), Patience, line);
        Assert.Equal([line], Applied(replica));
    }

    private static List<string> Applied(ReplicaHost<ApiDbContext> replica) => [.. replica.Logs.Of(AppliedLog.Category)];

    private static List<string> Received(ReplicaHost<ApiDbContext> replica) => [.. replica.Logs.Of("Papers.Messaging.Received")];

    private static async Task<int?> VersionAsync(TestDatabase<ApiDbContext> database, string id)
    {
        await using var db = database.Context();
        return await db.Papers.Where(p => p.PaperId == id).Select(p => (int?)p.Version).SingleOrDefaultAsync();
    }

    private static async Task<string?> ModelAsync(TestDatabase<ApiDbContext> database, string id)
    {
        await using var db = database.Context();
        return await db.Enrichments.Where(e => e.PaperId == id).Select(e => e.EmbeddingModel).SingleOrDefaultAsync();
    }

    private static async Task<DateTime> StartedAsync(TestDatabase<ApiDbContext> database)
    {
        await using var db = database.Context();
        return (await db.EmbeddingModels.SingleAsync()).LastStartedAt;
    }

    private static PaperIngested Ingested(string id, int version, string hash) => new(
        id, version, $"Title v{version}", "Abstract", [], "cs.LG", ["cs.LG"], null, new DateOnly(2026, 11, 30), "file", 0,
        null, null, null, null, null, null, null, hash, DateTimeOffset.UtcNow);

    private static PaperEnriched Enriched(string id, string model, DateTimeOffset at) =>
        new(id, 1, "h", [0, 1], model, [], "cs.LG", [], at);
}
