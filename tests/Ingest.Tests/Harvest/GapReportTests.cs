using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Papers.Ingest.Apis;
using Papers.Ingest.Data;
using Papers.Ingest.Harvest;
using Papers.Ingest.Sources;
using Papers.Ingest.Tests.Sources;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Security;
using Papers.TestSupport;

namespace Papers.Ingest.Tests.Harvest;

/// <summary>Gap detection after an OAI-PMH harvest, and the Ingest status endpoints.</summary>
public sealed class GapReportTests : IDisposable
{
    private static readonly string Key = OaiPmhHarvester.CursorKey("arXivRaw", null);
    private readonly SqliteTestDatabase<IngestDbContext> _database = new();
    private readonly DirectoryInfo _identity = Directory.CreateTempSubdirectory("papers-identity-");

    public void Dispose()
    {
        _database.Dispose();
        _identity.Delete(recursive: true);
    }

    private async Task<HarvestRunSummary> HarvestAsync(params string[] ids)
    {
        await using var server = await ReplayServer.StartAsync((context, _) => ReplayServer.Xml(context, OaiXml.Page(ids)));
        await using var db = _database.Context();
        var summaries = await new HarvestRig(db, server).Job().RunScheduledAsync(CancellationToken.None);
        return Assert.Single(summaries);
    }

    [Fact]
    public async Task A_harvest_reports_the_ids_it_did_not_see_and_the_next_one_continues_from_its_highest()
    {
        var first = await HarvestAsync("2401.00001", "2401.00002", "2401.00005", "2401.00009");
        var second = await HarvestAsync("2401.00009", "2401.00012");

        Assert.Equal((4, 4, 0), (first.Fetched, first.New, first.Failures.Count));
        Assert.Equal(["2401.00003–2401.00004", "2401.00006–2401.00008"], first.Gaps.Select(g => g.ToString()));
        Assert.Equal(["2401.00010–2401.00011"], second.Gaps.Select(g => g.ToString()));
        await using var db = _database.Context();
        var report = await db.GapReports.SingleAsync();
        Assert.Equal((Key, 2, "2401.00012", false, 2), (report.Source, report.IdsChecked, report.HighestId, report.Filtered, report.Missing));
    }

    [Fact]
    public async Task The_endpoints_serve_the_latest_report_and_the_cursors_and_refuse_bad_input()
    {
        await HarvestAsync("2401.00001", "2401.00003");
        await using var app = await StartApiAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using var anonymous = await http.GetAsync("/api/ingest/status");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var key = await app.Services.GetRequiredService<ApiKeyStore>().IssueAsync("operator", [Scopes.Admin], 1_000, default);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Key);

        var gaps = await http.GetFromJsonAsync<List<GapReport>>("/api/ingest/gaps", JsonSerializerOptions.Web);
        var report = Assert.Single(gaps!);
        Assert.Equal((Key, 1, "2401.00002"), (report.Source, report.Missing, report.Gaps.Single().First));
        Assert.Single((await http.GetFromJsonAsync<List<GapReport>>($"/api/ingest/gaps?source={Uri.EscapeDataString(Key)}", JsonSerializerOptions.Web))!);

        using var unknown = await http.GetAsync("/api/ingest/gaps?source=nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        using var blank = await http.GetAsync("/api/ingest/gaps?source=%20");
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Contains("\"source\"", await blank.Content.ReadAsStringAsync());

        var status = await http.GetFromJsonAsync<IngestStatus>("/api/ingest/status", JsonSerializerOptions.Web);
        var cursor = Assert.Single(status!.Cursors);
        Assert.Equal((Key, false, new DateOnly(2024, 1, 9)), (cursor.Source, cursor.InProgress, cursor.LatestDatestamp));
        Assert.True(cursor.LagSeconds > 0);
        Assert.Equal([("arXiv OAI-PMH harvest", true), ("Hugging Face daily papers import", false)],
            status.Schedules.Select(s => (s.Name, s.Enabled)));
    }

    [Fact]
    public async Task A_record_that_cannot_be_read_is_quarantined_the_rest_ingested_and_the_cursor_moves_on()
    {
        var good = OaiXml.Page(["2401.00001", "2401.00002", "2401.00003"], token: "t1");
        var first = good.Replace("<title>Paper 2401.00002</title>", "", StringComparison.Ordinal);
        var second = OaiXml.Page(["2401.00004"]);
        var fixedUpstream = false;
        await using var server = await ReplayServer.StartAsync((context, request) =>
            ReplayServer.Xml(context, request["resumptionToken"] is not null ? second : fixedUpstream ? good : first));

        HarvestRunSummary summary;
        await using (var db = _database.Context())
            summary = Assert.Single(await new HarvestRig(db, server).Job().RunScheduledAsync(CancellationToken.None));

        Assert.Equal((3, 3), (summary.Fetched, summary.New));
        Assert.Equal(["oai:arXiv.org:2401.00002: <arXivRaw> has no <title> (record 2401.00002) (quarantined)"], summary.Failures);
        Assert.Contains("failed 1", summary.ToString());
        Assert.Equal(["t1"], server.Requests.Skip(1).Select(r => r["resumptionToken"]));
        await using (var db = _database.Context())
        {
            Assert.Equal(["2401.00001", "2401.00003", "2401.00004"], await db.Papers.Select(p => p.PaperId).OrderBy(p => p).ToListAsync());
            Assert.Null((await db.HarvestCursors.SingleAsync()).ResumptionToken);
            var row = await db.Quarantine.SingleAsync();
            Assert.Equal((Key, "oai:arXiv.org:2401.00002"), (row.Source, row.RecordId));
            Assert.Contains("<id>2401.00002</id>", row.Content);
        }

        await using var app = await StartApiAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        var key = await app.Services.GetRequiredService<ApiKeyStore>().IssueAsync("operator", [Scopes.Admin], 1_000, default);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Key);
        var status = await http.GetFromJsonAsync<IngestStatus>("/api/ingest/status", JsonSerializerOptions.Web);
        Assert.Equal(1, status!.Quarantined);
        var listed = Assert.Single(status.Quarantine);
        Assert.Equal((Key, "oai:arXiv.org:2401.00002", "<arXivRaw> has no <title> (record 2401.00002)"), (listed.Source, listed.RecordId, listed.Reason));

        // Fixed upstream: the next harvest reads the record and releases it.
        fixedUpstream = true;
        await using (var db = _database.Context())
            summary = Assert.Single(await new HarvestRig(db, server).Job().RunScheduledAsync(CancellationToken.None));
        Assert.Empty(summary.Failures);
        await using (var db = _database.Context())
        {
            Assert.Empty(await db.Quarantine.ToListAsync());
            Assert.True(await db.Papers.AnyAsync(p => p.PaperId == "2401.00002"));
        }
    }

    [Fact]
    public async Task An_hf_daily_item_that_cannot_be_read_is_quarantined_with_its_id_or_its_place_and_released_once_read()
    {
        var day = Fixture.Read("hf-daily-papers/daily_papers_2026-06-12.json");
        // The first item loses its title (the paper's and the item's); two items are added at the end: one whose id is no arXiv id, one with none.
        var broken = day.Replace("\"title\":\"On the Limits of LLM Adaptability: Impact of Model-Internalized Priors on Annotation Task Performance\"", "\"title\":\"\"", StringComparison.Ordinal);
        Assert.NotEqual(day, broken);
        broken = broken[..broken.LastIndexOf(']')] + """,{"paper":{"id":"not-an-id","title":"Foreign id"}},{"paper":{"title":"An item without id"}}]""";
        var fixedUpstream = false;
        await using var server = await ReplayServer.StartAsync((context, request) =>
            ReplayServer.Xml(context, request["p"] != "0" ? "[]" : fixedUpstream ? day : broken));
        var date = new DateOnly(2026, 6, 12);

        var summary = await ImportHfAsync(server, date);

        Assert.True((summary.Fetched, summary.New) == (29, 29), summary.ToString());
        Assert.Equal(["2606.00467: item 1: paper 2606.00467 has no title (quarantined)", "not-an-id: item 31: paper.id 'not-an-id' is not an arXiv id (quarantined)",
            "2026-06-12 item without id #1: item 32: paper.id is missing (quarantined)"], summary.Failures);
        await using (var db = _database.Context())
        {
            var rows = await db.Quarantine.OrderBy(r => r.RecordId).ToListAsync();
            Assert.Equal(["2026-06-12 item without id #1", "2606.00467", "not-an-id"], rows.Select(r => r.RecordId));
            Assert.All(rows, r => Assert.Equal("hf-daily", r.Source));
            Assert.Equal("""{"paper":{"title":"An item without id"}}""", rows[0].Content);
            Assert.StartsWith("""{"paper":{"id":"2606.00467",""", rows[1].Content);
            Assert.Equal(new DateOnly(2026, 6, 12), (await db.HarvestCursors.SingleAsync()).LatestDatestamp);
        }

        await using (var app = await StartApiAsync())
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
            var key = await app.Services.GetRequiredService<ApiKeyStore>().IssueAsync("operator", [Scopes.Admin], 1_000, default);
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Key);
            var status = await http.GetFromJsonAsync<IngestStatus>("/api/ingest/status", JsonSerializerOptions.Web);
            Assert.Equal(3, status!.Quarantined);
            Assert.Contains(status.Quarantine, q => (q.Source, q.RecordId, q.Reason) == ("hf-daily", "2606.00467", "item 1: paper 2606.00467 has no title"));
        }

        // Fixed upstream: the next import of the day reads the paper and releases it; the other two were not served again and stay.
        fixedUpstream = true;
        summary = await ImportHfAsync(server, date);
        Assert.Empty(summary.Failures);
        await using (var db = _database.Context())
        {
            Assert.Equal(["2026-06-12 item without id #1", "not-an-id"], await db.Quarantine.Select(r => r.RecordId).OrderBy(r => r).ToListAsync());
            Assert.True(await db.Papers.AnyAsync(p => p.PaperId == "2606.00467"));
        }
    }

    private async Task<HarvestRunSummary> ImportHfAsync(ReplayServer server, DateOnly date)
    {
        await using var db = _database.Context();
        var intake = new HarvestIntake(db, new Papers.Ingest.Intake.PaperIntake(db, TimeProvider.System), TimeProvider.System);
        var client = new HfDailyPapersClient(new HttpClient(), Microsoft.Extensions.Options.Options.Create(new HfDailyOptions { BaseUrl = server.Url("/api/daily_papers"), PageSize = 30 }));
        return await new HfDailyJob(client, intake, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<HfDailyJob>.Instance).RunAsync(date, CancellationToken.None);
    }

    /// <summary>
    /// The endpoints as the service maps them, behind the platform's access control (identity
    /// database in a temporary folder), on the test database, with the OAI-PMH schedule on and HF off.
    /// </summary>
    private async Task<WebApplication> StartApiAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Configuration["Database:DataDirectory"] = _identity.FullName;
        builder.AddAccessControl();
        builder.Services.AddDbContext<IngestDbContext>(_database.Configure);
        builder.Services.AddClusterLease<IngestDbContext>(LeaseLocks.InProcess());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.Configure<ArxivOaiOptions>(o => (o.BaseUrl, o.Cron) = (new Uri("http://oai.invalid/oai"), "0 6 * * *"));
        builder.Services.Configure<HfDailyOptions>(o => o.Cron = "");
        builder.Services.AddHostedService<OaiHarvestSchedule>();
        builder.Services.AddHostedService<HfDailySchedule>();
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseAccessControl();
        app.MapIngestApi();
        await app.StartAsync();
        return app;
    }
}
