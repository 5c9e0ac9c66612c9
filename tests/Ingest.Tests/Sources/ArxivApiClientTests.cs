using Microsoft.Extensions.Options;
using Papers.Ingest.Parsing;
using Papers.Ingest.Sources;

namespace Papers.Ingest.Tests.Sources;

public sealed class ArxivApiClientTests
{
    private const string Recorded = "arxiv-api/arxiv.py_2026_recorded/";

    /// <summary>Replays the recorded "testing" pages by start/max_results, and the recorded id lookups.</summary>
    private static Task<ReplayServer> StartServer() =>
        ReplayServer.StartAsync((context, request) =>
        {
            if (request["search_query"] == "testing")
            {
                var file = Directory.EnumerateFiles(Fixture.PathOf(Recorded), $"q_testing_s{request["start"]}_m{request["max_results"]}_*.json").Single();
                return ReplayServer.Xml(context, Fixture.AtomBody(Recorded + Path.GetFileName(file)));
            }

            return request["id_list"] switch
            {
                "abc" => ReplayServer.Xml(context, Fixture.AtomBody(Recorded + "id_abc_s0_m100_b79c8dcf6bc3.json"), 400),
                "1605.08386,astro-ph/0601001" => ReplayServer.Xml(context, Fixture.AtomBody(Recorded + "id_1605.08386_s0_m100_199195aa31ad.json")),
                _ => ReplayServer.Xml(context, Fixture.AtomBody(Recorded + "id_0000.0000_s0_m100_8b51d9633a68.json")),
            };
        });

    private static ArxivApiClient Client(ReplayServer server, TimeSpan? minDelay = null, HttpMessageHandler? handler = null) =>
        new(new HttpClient(handler ?? new SendTimes()), Options.Create(new ArxivApiOptions
        {
            BaseUrl = server.Url("/api/query"),
            MinDelay = minDelay ?? TimeSpan.FromMilliseconds(10),
            PageSize = 10,
        }), new PolitenessGate(TimeProvider.System));

    [Fact]
    public async Task Pages_a_search_with_start_and_max_results()
    {
        await using var server = await StartServer();

        var papers = new List<SourcePaper>();
        await foreach (var paper in Client(server).SearchAsync("testing", limit: 60))
            papers.Add(paper);

        var expected = ArxivAtomParser.Parse(Fixture.AtomBody(Recorded + "q_testing_s0_m100_cfe7536492ca.json"), "s0").Papers.Take(60);
        Assert.Equal(expected.Select(p => p.ArxivId), papers.Select(p => p.ArxivId));
        Assert.Equal(["0", "10", "20", "30", "40", "50"], server.Requests.Select(r => r["start"]));
        Assert.All(server.Requests, r => Assert.Equal(("/api/query", "10"), (r.Path, r["max_results"])));
    }

    [Fact]
    public async Task Requests_are_spaced_by_the_minimum_delay()
    {
        await using var server = await StartServer();
        var minDelay = TimeSpan.FromMilliseconds(250);
        var sends = new SendTimes();

        await foreach (var _ in Client(server, minDelay, sends).SearchAsync("testing", limit: 30))
        {
        }

        Assert.Equal(3, sends.Times.Count);
        Assert.All(sends.Gaps, gap => Assert.True(gap >= minDelay - SendTimes.TimerSlack, $"requests {gap.TotalMilliseconds} ms apart"));
    }

    [Fact]
    public async Task Looks_up_an_id_list()
    {
        await using var server = await StartServer();

        var papers = await Client(server).GetByIdsAsync(["1605.08386", "astro-ph/0601001"], CancellationToken.None);

        Assert.Equal("1605.08386", Assert.Single(papers).ArxivId);
        Assert.Equal("1605.08386,astro-ph/0601001", Assert.Single(server.Requests)["id_list"]);
    }

    [Fact]
    public async Task The_Error_entry_of_a_400_is_the_error_reported()
    {
        await using var server = await StartServer();

        var ex = await Assert.ThrowsAsync<ArxivApiException>(() => Client(server).GetByIdsAsync(["abc"], CancellationToken.None));

        Assert.Equal("incorrect id format for abc", ex.ErrorText);
        Assert.Contains("id_list=abc", ex.SourceName);
    }

    [Fact]
    public async Task An_empty_result_ends_the_search()
    {
        await using var server = await StartServer();
        var papers = await Client(server).GetByIdsAsync(["0808.05394"], CancellationToken.None);
        Assert.Empty(papers);
    }
}
