using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Papers.Ingest.Commands;
using Papers.Ingest.Data;
using Papers.Ingest.Tests.Harvest;
using Papers.Ingest.Tests.Sources;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Ingest.Tests.Commands;

/// <summary><c>harvest oai|hf</c> end to end: its own host, a SQLite file, the in-memory broker,
/// and a local server replaying the recorded responses.</summary>
public sealed class HarvestCommandTests : IDisposable
{
    private static readonly IReadOnlyList<string> Pages = OaiPages.Split(Fixture.Read("arxiv-oai/ListRecordsResponse.xml"), 4);
    private readonly string _data = Directory.CreateTempSubdirectory("ingest-harvest-").FullName;
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private Task<int> RunAsync(ReplayServer server, params string[] args) =>
        HarvestCommand.RunAsync(["harvest", .. args], _output, _error, c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:DataDirectory"] = _data,
            ["Messaging:Transport"] = "InMemory",
            ["Sources:ArxivOai:BaseUrl"] = server.Url("/oai").ToString(),
            ["Sources:ArxivOai:MinDelay"] = "00:00:00",
            ["Sources:HfDaily:BaseUrl"] = server.Url("/api/daily_papers").ToString(),
            ["Sources:HfDaily:PageSize"] = "30",
        }));

    private IngestDbContext Database() =>
        new(new DbContextOptionsBuilder<IngestDbContext>().UseSqlite($"Data Source={Path.Combine(_data, "ingest.db")}").Options);

    [Fact]
    public async Task Harvest_oai_backfills_a_range_of_a_set_and_ends_with_a_summary()
    {
        await using var server = await ReplayServer.StartAsync((context, request) =>
            ReplayServer.Xml(context, request["resumptionToken"] is null ? Pages[0] : Pages[1]));

        var exit = await RunAsync(server, "oai", "--from", "2014-10-01", "--until", "2014-12-31", "--set", "physics:nucl-ex");

        Assert.True(exit == 0, _output + "\n" + _error);
        var first = server.Requests[0];
        Assert.Equal(("2014-10-01", "2014-12-31", "physics:nucl-ex"), (first["from"], first["until"], first["set"]));
        Assert.Contains("harvest: fetched 6, new 6, revised 0, unchanged 0, skipped 0, failed 0", _output.ToString());
        Assert.Contains("every event published", _output.ToString());
        await using var db = Database();
        Assert.Equal(6, await db.Papers.CountAsync());
        Assert.Equal(0, await db.Set<OutboxMessage>().CountAsync(m => m.SentAt == null));
        // The range has its own cursor: the scheduled harvest's is untouched.
        var cursor = await db.HarvestCursors.SingleAsync();
        Assert.Equal("arxiv-oai:arXivRaw:physics:nucl-ex:2014-10-01..2014-12-31", cursor.Source);
        Assert.Null(cursor.ResumptionToken);

        // Again: everything is known already.
        Assert.Equal(0, await RunAsync(server, "oai", "--from", "2014-10-01", "--until", "2014-12-31", "--set", "physics:nucl-ex"));
        Assert.Contains("harvest: fetched 6, new 0, revised 0, unchanged 6", _output.ToString());
    }

    [Fact]
    public async Task Harvest_hf_imports_a_day_and_reports_a_failure_with_its_reason()
    {
        await using var server = await ReplayServer.StartAsync((context, request) => request["date"] == "2026-06-12"
            ? ReplayServer.Xml(context, request["p"] == "0" ? Fixture.Read("hf-daily-papers/daily_papers_2026-06-12.json") : "[]")
            : ReplayServer.Xml(context, """{"error":"Invalid date"}""", 400));

        var exit = await RunAsync(server, "hf", "--date", "2026-06-12", "--until", "2026-06-13");

        Assert.Equal(1, exit);
        var output = _output.ToString();
        Assert.Contains("harvest: hf-daily: fetched 30, new 30", output);
        Assert.Contains("failed: ", output);
        Assert.Contains("Invalid date", output);
        Assert.Contains("harvest: fetched 30, new 30, revised 0, unchanged 0, skipped 0, failed 1", output);
        await using var db = Database();
        Assert.Equal(new DateOnly(2026, 6, 12), (await db.HarvestCursors.SingleAsync()).LatestDatestamp);
    }

    [Theory]
    [InlineData("harvest")]
    [InlineData("harvest", "ftp")]
    [InlineData("harvest", "oai")]
    [InlineData("harvest", "oai", "--from", "2024-13-01")]
    [InlineData("harvest", "oai", "--from", "2024-01-02", "--until", "2024-01-01")]
    [InlineData("harvest", "hf", "--date", "2024-01-01", "--set", "cs")]
    public async Task Bad_arguments_are_a_usage_error(params string[] args)
    {
        Assert.Equal(2, await HarvestCommand.RunAsync(args, _output, _error));
        Assert.Contains("usage: harvest oai", _error.ToString());
    }
}
