using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Papers.Ingest.Harvest;
using Papers.Ingest.Parsing;
using Papers.Ingest.Sources;
using Papers.Ingest.Tests.Sources;

namespace Papers.Ingest.Tests.Harvest;

/// <summary>
/// The harvest loop against a real local HTTP server replaying the recorded ListRecords page,
/// split into three pages of two records chained by resumption tokens.
/// </summary>
public sealed class OaiHarvestLoopTests
{
    private static readonly IReadOnlyList<string> Pages = OaiPages.Split(Fixture.Read("arxiv-oai/ListRecordsResponse.xml"), 2);
    private static readonly string[] AllIds = ["0704.0471", "0704.0716", "0704.0874", "0704.1109", "0704.1114", "0704.1586"];
    private static readonly string Key = OaiPmhHarvester.CursorKey("arXivRaw", null);
    private static readonly DateOnly InitialFrom = new(2014, 10, 1);
    private static readonly DateOnly RecordedResponseDate = new(2015, 1, 6);

    /// <summary>Serves page 1 for a fresh request and the page a token names; the first request
    /// for each token in <paramref name="throttleOnce"/> gets 503 with Retry-After: 1.</summary>
    private static Task<ReplayServer> StartServer(params string[] throttleOnce)
    {
        var throttled = new HashSet<string>();
        return ReplayServer.StartAsync((context, request) =>
        {
            var token = request["resumptionToken"];
            if (token is not null && throttleOnce.Contains(token) && throttled.Add(token))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                return Task.CompletedTask;
            }

            return token switch
            {
                null => ReplayServer.Xml(context, Pages[0]),
                "t1" => ReplayServer.Xml(context, Pages[1]),
                "t2" => ReplayServer.Xml(context, Pages[2]),
                "html" => ReplayServer.Xml(context, Fixture.Read("handmade/oai-html-error-page.html")),
                _ => ReplayServer.Xml(context, Fixture.Read("arxiv-oai/ErrorResponseBadResumptionToken.xml")),
            };
        });
    }

    private static OaiPmhHarvester Harvester(ReplayServer server, IHarvestCursorStore cursors, IPaperSink sink, TimeSpan? minDelay = null, SendTimes? sends = null)
    {
        var options = Options.Create(new ArxivOaiOptions
        {
            BaseUrl = server.Url("/oai"),
            MinDelay = minDelay ?? TimeSpan.FromMilliseconds(10),
            InitialFrom = InitialFrom,
        });
        var client = new OaiPmhClient(new HttpClient(sends ?? new SendTimes()), options, new PolitenessGate(TimeProvider.System), TimeProvider.System,
            NullLogger<OaiPmhClient>.Instance);
        return new OaiPmhHarvester(client, cursors, sink, options, TimeProvider.System, NullLogger<OaiPmhHarvester>.Instance);
    }

    [Fact]
    public async Task Pages_through_a_503_and_a_restart_without_losing_or_repeating_a_paper()
    {
        await using var server = await StartServer(throttleOnce: "t1");
        var cursors = new InMemoryCursorStore();

        // Run 1: page 1 is handed on, t1 is throttled once, then the sink fails on page 2.
        var failing = new RecordingSink(failOnCall: 2);
        var sends = new SendTimes();
        await Assert.ThrowsAsync<InvalidOperationException>(() => Harvester(server, cursors, failing, sends: sends).HarvestAsync(null, CancellationToken.None));

        Assert.Equal(AllIds[..2], failing.Ids);
        Assert.Equal(new HarvestCursor(Key, InitialFrom, "t1", RecordedResponseDate, cursors[Key]!.UpdatedAt, new DateOnly(2014, 12, 22)), cursors[Key]);
        var first = server.Requests;
        Assert.Equal(3, first.Count);
        Assert.Equal(("ListRecords", "arXivRaw", "2014-10-01", null), (first[0]["verb"], first[0]["metadataPrefix"], first[0]["from"], first[0]["resumptionToken"]));
        Assert.Equal(["t1", "t1"], first.Skip(1).Select(r => r["resumptionToken"]));
        Assert.True(sends.Gaps[1] >= TimeSpan.FromSeconds(1) - SendTimes.TimerSlack, $"Retry-After: 1 not honoured ({sends.Gaps[1]})");

        // Run 2: a new harvester (as after a restart) resumes at t1 and finishes.
        var sink = new RecordingSink();
        var result = await Harvester(server, cursors, sink).HarvestAsync(null, CancellationToken.None);

        Assert.NotNull(result.LatestDatestamp);
        Assert.True(result.LatestDatestamp >= new DateOnly(2014, 12, 22)); // kept from run 1, raised by newer pages
        Assert.Equal(new HarvestResult(Key, 2, 4, 0, 0, 0, InitialFrom, RecordedResponseDate, Resumed: true, result.LatestDatestamp), result);
        Assert.Equal(["t1", "t2"], server.Requests.Skip(3).Select(r => r["resumptionToken"]));
        Assert.All(server.Requests.Skip(3), r => Assert.Null(r["metadataPrefix"])); // a token travels alone
        Assert.Equal(AllIds, failing.Ids.Concat(sink.Ids));
        Assert.Equal(new HarvestCursor(Key, RecordedResponseDate, null, null, cursors[Key]!.UpdatedAt, result.LatestDatestamp), cursors[Key]);
        Assert.Equal(["t1", "t2", null], cursors.Saved.Select(c => c.ResumptionToken).Distinct());
    }

    [Fact]
    public async Task The_next_harvest_starts_from_the_last_successful_harvest_date()
    {
        await using var server = await StartServer();
        var cursors = new InMemoryCursorStore();
        var sink = new RecordingSink();

        var first = await Harvester(server, cursors, sink).HarvestAsync(null, CancellationToken.None);
        var second = await Harvester(server, cursors, sink).HarvestAsync(null, CancellationToken.None);

        Assert.Equal((3, 6, false), (first.Pages, first.Papers, first.Resumed));
        Assert.Equal(RecordedResponseDate, second.From);
        Assert.Equal("2015-01-06", server.Requests[3]["from"]);
    }

    [Fact]
    public async Task An_expired_token_is_a_clear_error_and_the_window_is_listed_again()
    {
        await using var server = await StartServer();
        var cursors = new InMemoryCursorStore();
        await cursors.SaveAsync(new HarvestCursor(Key, InitialFrom, "expired", RecordedResponseDate, DateTimeOffset.UtcNow), CancellationToken.None);
        var sink = new RecordingSink();

        var ex = await Assert.ThrowsAsync<OaiPmhException>(() => Harvester(server, cursors, sink).HarvestAsync(null, CancellationToken.None));

        Assert.Equal("badResumptionToken", ex.Code);
        Assert.Contains("resumptionToken=expired", ex.SourceName);
        Assert.Empty(sink.Pages);
        // Not advanced: same from-date, token dropped so the next run lists the window again.
        Assert.Equal((InitialFrom, null), (cursors[Key]!.From, cursors[Key]!.ResumptionToken));

        var rerun = await Harvester(server, cursors, sink).HarvestAsync(null, CancellationToken.None);
        Assert.Equal(InitialFrom, rerun.From);
        Assert.Equal(AllIds, sink.Ids);
    }

    [Fact]
    public async Task An_HTML_page_mid_harvest_stops_it_without_advancing_the_cursor()
    {
        await using var server = await StartServer();
        var cursors = new InMemoryCursorStore();
        await cursors.SaveAsync(new HarvestCursor(Key, InitialFrom, "html", RecordedResponseDate, DateTimeOffset.UtcNow), CancellationToken.None);
        var sink = new RecordingSink();

        var ex = await Assert.ThrowsAsync<ConnectorFormatException>(() => Harvester(server, cursors, sink).HarvestAsync(null, CancellationToken.None));

        Assert.Contains("got an HTML page", ex.Message);
        Assert.Contains(server.BaseUrl.Authority, ex.SourceName);
        Assert.Equal("html", cursors[Key]!.ResumptionToken);
        Assert.Empty(sink.Pages);
    }

    [Fact]
    public async Task Requests_are_spaced_by_the_minimum_delay()
    {
        await using var server = await StartServer();
        var minDelay = TimeSpan.FromMilliseconds(300);

        var sends = new SendTimes();
        await Harvester(server, new InMemoryCursorStore(), new RecordingSink(), minDelay, sends).HarvestAsync(null, CancellationToken.None);

        Assert.Equal(3, sends.Times.Count);
        Assert.All(sends.Gaps, gap => Assert.True(gap >= minDelay - SendTimes.TimerSlack, $"requests {gap.TotalMilliseconds} ms apart"));
    }

    [Fact]
    public async Task Each_configured_set_has_its_own_cursor()
    {
        await using var server = await StartServer();
        var cursors = new InMemoryCursorStore();
        var options = Options.Create(new ArxivOaiOptions
        {
            BaseUrl = server.Url("/oai"),
            MinDelay = TimeSpan.Zero,
            InitialFrom = InitialFrom,
            Sets = ["cs:cs:LG", "physics:nucl-th"],
        });
        var client = new OaiPmhClient(new HttpClient(), options, new PolitenessGate(TimeProvider.System), TimeProvider.System, NullLogger<OaiPmhClient>.Instance);
        var harvester = new OaiPmhHarvester(client, cursors, new RecordingSink(), options, TimeProvider.System, NullLogger<OaiPmhHarvester>.Instance);

        var results = await harvester.HarvestAllAsync(CancellationToken.None);

        Assert.Equal(["arxiv-oai:arXivRaw:cs:cs:LG", "arxiv-oai:arXivRaw:physics:nucl-th"], results.Select(r => r.Source));
        Assert.Equal(["cs:cs:LG", "physics:nucl-th"], server.Requests.Where(r => r["set"] is not null).Select(r => r["set"]));
        Assert.All(results, r => Assert.Equal(RecordedResponseDate, cursors[r.Source]!.From));
    }
}
