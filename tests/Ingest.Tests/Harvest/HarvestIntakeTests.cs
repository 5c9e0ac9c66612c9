using Microsoft.EntityFrameworkCore;
using Papers.Ingest.Data;
using Papers.Ingest.Harvest;
using Papers.Ingest.Parsing;
using Papers.Ingest.Tests.Sources;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;

namespace Papers.Ingest.Tests.Harvest;

/// <summary>The harvest cursor store and sink over the Ingest database (SQLite), with the real harvester.</summary>
public sealed class HarvestIntakeTests : IDisposable
{
    private static readonly IReadOnlyList<string> Pages = OaiPages.Split(Fixture.Read("arxiv-oai/ListRecordsResponse.xml"), 2);
    private static readonly string Key = OaiPmhHarvester.CursorKey("arXivRaw", null);
    private readonly SqliteTestDatabase<IngestDbContext> _database = new();

    public void Dispose() => _database.Dispose();

    private static Task<ReplayServer> StartServer() => ReplayServer.StartAsync((context, request) =>
        ReplayServer.Xml(context, request["resumptionToken"] switch
        {
            null => Pages[0],
            "t1" => Pages[1],
            _ => Pages[2],
        }));

    private (int Papers, int Events, HarvestCursorRow? Cursor) Stored()
    {
        using var db = _database.Context();
        return (db.Papers.Count(), db.Set<OutboxMessage>().Count(), db.HarvestCursors.AsNoTracking().SingleOrDefault(c => c.Source == Key));
    }

    [Fact]
    public async Task A_failed_commit_advances_nothing_and_a_restart_resumes_at_the_last_committed_page()
    {
        await using var server = await StartServer();

        // Run 1: page 1 commits with cursor t1; the commit of page 2 (and cursor t2) fails.
        await using (var db = _database.Context(new FailingSave(failOnCall: 2)))
            await Assert.ThrowsAsync<DbUpdateException>(() => new HarvestRig(db, server).Harvester().HarvestAsync(null, CancellationToken.None));

        var afterFailure = Stored();
        Assert.Equal((2, 2), (afterFailure.Papers, afterFailure.Events));
        Assert.Equal(("t1", HarvestRig.InitialFrom), (afterFailure.Cursor!.ResumptionToken, afterFailure.Cursor.From));

        // Run 2, as after a restart: a new context resumes at t1 and finishes.
        await using (var db = _database.Context())
        {
            var result = await new HarvestRig(db, server).Harvester().HarvestAsync(null, CancellationToken.None);
            Assert.True(result.Resumed);
        }

        var done = Stored();
        Assert.Equal((6, 6), (done.Papers, done.Events));
        Assert.Null(done.Cursor!.ResumptionToken);
        Assert.Equal(new DateOnly(2015, 1, 6), done.Cursor.From);
        Assert.Equal(new DateOnly(2014, 12, 22), done.Cursor.LatestDatestamp);
        // Page 2 is fetched again after the failed commit; page 1 is not.
        Assert.Equal([null, "t1", "t1", "t2"], server.Requests.Select(r => r["resumptionToken"]));
    }

    [Fact]
    public async Task A_failed_fetch_keeps_the_cursor_of_the_last_committed_page()
    {
        await using var server = await ReplayServer.StartAsync((context, request) => request["resumptionToken"] is null
            ? ReplayServer.Xml(context, Pages[0])
            : ReplayServer.Xml(context, "<html>maintenance</html>", 200));

        await using (var db = _database.Context())
            await Assert.ThrowsAnyAsync<ConnectorException>(() => new HarvestRig(db, server).Harvester().HarvestAsync(null, CancellationToken.None));

        var stored = Stored();
        Assert.Equal((2, 2, "t1"), (stored.Papers, stored.Events, stored.Cursor!.ResumptionToken));
    }

    [Fact]
    public async Task The_cursor_store_round_trips_a_cursor()
    {
        var cursor = new HarvestCursor("arxiv-oai:arXivRaw:cs:cs:LG", new DateOnly(2024, 1, 1), "tok", new DateOnly(2024, 1, 2),
            new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), new DateOnly(2024, 1, 1));
        await using (var db = _database.Context())
            await new Papers.Ingest.Harvest.HarvestIntake(db, new Papers.Ingest.Intake.PaperIntake(db, TimeProvider.System), TimeProvider.System).SaveAsync(cursor, CancellationToken.None);
        await using (var db = _database.Context())
        {
            var store = new Papers.Ingest.Harvest.HarvestIntake(db, new Papers.Ingest.Intake.PaperIntake(db, TimeProvider.System), TimeProvider.System);
            Assert.Equal(cursor, await store.GetAsync(cursor.Source, CancellationToken.None));
            Assert.Null(await store.GetAsync("other", CancellationToken.None));
        }
    }
}
