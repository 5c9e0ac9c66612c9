using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Papers.Ingest.Commands;
using Papers.Ingest.Data;
using Papers.Ingest.Harvest;
using Papers.Ingest.Sources;
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

    private Task<int> RunAsync(ReplayServer server, params string[] args) => RunAsync(server.Url("/"), [], args);

    private Task<int> RunAsync(Uri server, Dictionary<string, string?> settings, params string[] args) =>
        HarvestCommand.RunAsync(["harvest", .. args], _output, _error, Configure(server, settings));

    private Action<IConfigurationBuilder> Configure(Uri server, Dictionary<string, string?>? settings = null) => c => c.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["Database:DataDirectory"] = _data,
        ["Messaging:Transport"] = "InMemory",
        ["Sources:ArxivOai:BaseUrl"] = new Uri(server, "oai").ToString(),
        ["Sources:ArxivOai:MinDelay"] = "00:00:00",
        ["Sources:HfDaily:BaseUrl"] = new Uri(server, "api/daily_papers").ToString(),
        ["Sources:HfDaily:PageSize"] = "30",
    }.Concat(settings ?? []));

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

    [Fact]
    public async Task A_bad_record_is_quarantined_the_harvest_goes_on_and_quarantine_lists_it()
    {
        var first = Pages[0].Replace("<title>Limit distributions and scaling functions</title>", "", StringComparison.Ordinal);
        Assert.NotEqual(Pages[0], first);
        await using var server = await ReplayServer.StartAsync((context, request) =>
            ReplayServer.Xml(context, request["resumptionToken"] is null ? first : Pages[1]));

        var exit = await RunAsync(server, "oai", "--from", "2014-10-01", "--until", "2014-12-31");

        // Something failed (exit 1), but the harvest went past it: both pages, 5 papers, the cursor done.
        Assert.Equal(1, exit);
        var output = _output.ToString();
        Assert.Contains("harvest: fetched 5, new 5, revised 0, unchanged 0, skipped 0, failed 1", output);
        Assert.Contains("failed: oai:arXiv.org:0704.0716: <arXivRaw> has no <title> (record 0704.0716) (quarantined)", output);
        await using (var db = Database())
        {
            Assert.Equal(5, await db.Papers.CountAsync());
            Assert.Null((await db.HarvestCursors.SingleAsync()).ResumptionToken);
        }

        var listing = new StringWriter();
        Assert.Equal(0, await QuarantineCommand.RunAsync(["quarantine", "--content"], listing, _error, Configure(server.Url("/"))));
        var lines = listing.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("arxiv-oai:arXivRaw:*:2014-10-01..2014-12-31  oai:arXiv.org:0704.0716: <arXivRaw> has no <title> (record 0704.0716)", lines[0]);
        Assert.StartsWith("    <record", lines[1]);
        Assert.Contains("<identifier>oai:arXiv.org:0704.0716</identifier>", listing.ToString());
        Assert.Equal("quarantine: 1 record", lines[^1]);
    }

    [Fact]
    public async Task Harvest_feed_reads_the_listing_of_the_configured_categories_and_a_weekend_is_empty_not_failed()
    {
        var weekend = false;
        await using var server = await ReplayServer.StartAsync((context, _) =>
            ReplayServer.Xml(context, Fixture.Read(weekend ? "feeds/arxiv-rss-empty-weekend.xml" : "feeds/arxiv-rss-cs.LG.xml")));
        var settings = new Dictionary<string, string?> { ["Sources:ArxivFeed:BaseUrl"] = server.Url("/rss/").ToString(), ["Sources:ArxivFeed:Categories:0"] = "cs.LG", ["Sources:ArxivFeed:Categories:1"] = "cs.AI" };

        Assert.Equal(0, await RunAsync(server.Url("/"), settings, "feed"));
        weekend = true;
        Assert.Equal(0, await RunAsync(server.Url("/"), settings, "feed"));

        Assert.Equal("/rss/cs.LG+cs.AI", server.Requests[0].Path);
        var output = _output.ToString();
        Assert.Contains("harvest: arxiv-feed:cs.LG+cs.AI: fetched 3, new 3, revised 0, unchanged 0, skipped 0, failed 0", output);
        Assert.Contains("harvest: arxiv-feed:cs.LG+cs.AI: fetched 0, new 0, revised 0, unchanged 0, skipped 0, failed 0", output);
        await using var db = Database();
        Assert.Equal(["2511.03333", "2606.11111", "2606.22222"], await db.Papers.Select(p => p.PaperId).OrderBy(p => p).ToListAsync());
        var cursor = await db.HarvestCursors.SingleAsync();
        Assert.Equal(("arxiv-feed:cs.LG+cs.AI", new DateOnly(2026, 6, 16)), (cursor.Source, cursor.LatestDatestamp));
    }

    [Fact]
    public async Task Harvest_oai_dc_reads_a_Dublin_Core_repository_as_its_own_source()
    {
        await using var server = await ReplayServer.StartAsync((context, _) => ReplayServer.Xml(context, Fixture.Read("feeds/oai_dc-ListRecords.xml")));
        var settings = new Dictionary<string, string?> { ["Sources:OaiDc:BaseUrl"] = server.Url("/repo/oai").ToString(), ["Sources:OaiDc:MinDelay"] = "00:00:00" };

        var exit = await RunAsync(server.Url("/"), settings, "oai-dc", "--from", "2026-06-01", "--set", "computer_science");

        Assert.Equal(1, exit); // the record without a title is quarantined
        var request = server.Requests[0];
        Assert.Equal(("/repo/oai", "oai_dc", "computer_science"), (request.Path, request["metadataPrefix"], request["set"]));
        var output = _output.ToString();
        Assert.Contains("fetched 4, new 3, revised 0, unchanged 0, skipped 1, failed 1", output);
        await using var db = Database();
        Assert.Equal(3, await db.Papers.CountAsync());
        Assert.Equal($"oai-dc:{server.Url("/").Authority}:computer_science:2026-06-01..", (await db.HarvestCursors.SingleAsync()).Source);
        Assert.Equal("oai:repository.example.edu:1204", (await db.Quarantine.SingleAsync()).RecordId);
    }

    [Fact]
    public async Task A_bad_source_setting_is_one_line_naming_it_and_exit_2()
    {
        var exit = await RunAsync(new Uri("http://127.0.0.1:9/"), new() { ["Sources:ArxivOai:MetadataPrefix"] = "bogus" }, "oai", "--from", "2024-01-01");

        Assert.Equal(2, exit);
        Assert.Equal("harvest: bad setting: Sources:ArxivOai:MetadataPrefix is 'bogus'; expected arXiv or arXivRaw (Dublin Core repositories are Sources:OaiDc)",
            _error.ToString().Trim());
    }

    [Fact]
    public async Task Nothing_listening_at_the_base_URL_is_a_few_lines_without_stack_traces()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var exit = await RunAsync(new Uri($"http://127.0.0.1:{port}/"), [], "oai", "--from", "2024-01-01");

        Assert.Equal(1, exit);
        var errors = _error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(errors, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        // One line per retry of the resilience handler (3), the job's one-line failure.
        Assert.InRange(errors.Length, 1, 4);
        Assert.All(errors, l => Assert.StartsWith("harvest: ", l));
        Assert.Contains(errors, l => l.StartsWith("harvest: warning: Retry 1 of ", StringComparison.Ordinal));
        Assert.Contains("failed 1", _output.ToString());
        Assert.Contains("Connection refused", _output.ToString());
    }

    [Fact]
    public async Task The_progress_line_says_when_and_how_long_a_source_throttles()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var gate = new PolitenessGate(time);
        var tally = new HarvestTally();

        var wait = gate.WaitOutAsync(new Uri("https://oaipmh.arxiv.org/oai?verb=ListRecords"), TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Equal("fetched 0, new 0, revised 0, failed 0; throttled by oaipmh.arxiv.org (503 Retry-After): waiting 10 s more", HarvestCommand.ProgressText(tally, gate));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.EndsWith("waiting 6 s more", HarvestCommand.ProgressText(tally, gate));
        time.Advance(TimeSpan.FromSeconds(6));
        await wait;
        Assert.Equal("fetched 0, new 0, revised 0, failed 0", HarvestCommand.ProgressText(tally, gate));
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
