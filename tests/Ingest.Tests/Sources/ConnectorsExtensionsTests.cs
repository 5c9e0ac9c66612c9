using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Papers.Ingest.Harvest;
using Papers.Ingest.Sources;
using Papers.Ingest.Tests.Harvest;

namespace Papers.Ingest.Tests.Sources;

/// <summary>The connectors as the host wires them: configuration, typed clients, resilience.</summary>
public sealed class ConnectorsExtensionsTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings, InMemoryCursorStore? cursors = null, RecordingSink? sink = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        // As AddServiceDefaults does: the connectors must replace this handler, not stack on it.
        services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        services.AddIngestConnectors(configuration);
        services.AddSingleton<IHarvestCursorStore>(cursors ?? new InMemoryCursorStore());
        services.AddSingleton<IPaperSink>(sink ?? new RecordingSink());
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Binds_every_source_from_configuration()
    {
        using var provider = Services(new()
        {
            ["Sources:ArxivOai:BaseUrl"] = "https://oai.example/oai",
            ["Sources:ArxivOai:MetadataPrefix"] = "arXiv",
            ["Sources:ArxivOai:Sets:0"] = "cs:cs:LG",
            ["Sources:ArxivOai:Sets:1"] = "cs:cs:AI",
            ["Sources:ArxivOai:MinDelay"] = "00:00:05",
            ["Sources:ArxivOai:Cron"] = "15 4 * * *",
            ["Sources:ArxivApi:BaseUrl"] = "https://api.example/query",
            ["Sources:ArxivApi:MinDelay"] = "00:00:04",
            ["Sources:HfDaily:BaseUrl"] = "https://hf.example/api/daily_papers",
            ["Sources:HfDaily:Cron"] = "0 22 * * *",
        });

        var oai = provider.GetRequiredService<IOptions<ArxivOaiOptions>>().Value;
        Assert.Equal(("https://oai.example/oai", "arXiv", TimeSpan.FromSeconds(5), "15 4 * * *"), (oai.BaseUrl!.ToString(), oai.MetadataPrefix, oai.MinDelay, oai.Cron));
        Assert.Equal(["cs:cs:LG", "cs:cs:AI"], oai.Sets);
        var api = provider.GetRequiredService<IOptions<ArxivApiOptions>>().Value;
        Assert.Equal(("https://api.example/query", TimeSpan.FromSeconds(4)), (api.BaseUrl!.ToString(), api.MinDelay));
        var hf = provider.GetRequiredService<IOptions<HfDailyOptions>>().Value;
        Assert.Equal(("https://hf.example/api/daily_papers", "0 22 * * *"), (hf.BaseUrl.ToString(), hf.Cron));
    }

    [Fact]
    public async Task Each_source_client_calls_its_configured_endpoint_as_Papers_Ingest()
    {
        var userAgents = new ConcurrentQueue<string>();
        await using var server = await ReplayServer.StartAsync((context, request) =>
        {
            userAgents.Enqueue(context.Request.Headers.UserAgent.ToString());
            return request.Path switch
            {
                "/oai" => ReplayServer.Xml(context, Fixture.Read("arxiv-oai/ErrorResponseNoRecordsMatch.xml")),
                "/api/query" => ReplayServer.Xml(context, Fixture.AtomBody("arxiv-api/arxiv.py_2026_recorded/id_0000.0000_s0_m100_8b51d9633a68.json")),
                _ => ReplayServer.Xml(context, "[]"),
            };
        });
        using var provider = Services(new()
        {
            ["Sources:ArxivOai:BaseUrl"] = server.Url("/oai").ToString(),
            ["Sources:ArxivOai:MinDelay"] = "00:00:00",
            ["Sources:ArxivApi:BaseUrl"] = server.Url("/api/query").ToString(),
            ["Sources:ArxivApi:MinDelay"] = "00:00:00",
            ["Sources:HfDaily:BaseUrl"] = server.Url("/hf/daily_papers").ToString(),
            ["Sources:HfDaily:PageSize"] = "25",
        });

        await provider.GetRequiredService<OaiPmhClient>().ListRecordsAsync(new OaiListRequest("arXivRaw", "cs", new DateOnly(2026, 6, 1)), CancellationToken.None);
        await provider.GetRequiredService<ArxivApiClient>().QueryAsync(new ArxivQuery(null, ["0000.0000"]), CancellationToken.None);
        await provider.GetRequiredService<HfDailyPapersClient>().GetDailyAsync(new DateOnly(2026, 6, 12), CancellationToken.None);

        Assert.Equal(["/oai", "/api/query", "/hf/daily_papers"], server.Requests.Select(r => r.Path));
        Assert.Equal(("ListRecords", "cs", "0000.0000", "25"), (server.Requests[0]["verb"], server.Requests[0]["set"], server.Requests[1]["id_list"], server.Requests[2]["limit"]));
        Assert.Equal(Enumerable.Repeat("Papers-Ingest/1.0", 3), userAgents);
    }

    [Fact]
    public async Task The_source_clients_share_one_politeness_gate_per_host()
    {
        // arXiv's "one request per 3 seconds" is per client machine: a query API request right after
        // an OAI-PMH request to the same host waits the API's MinDelay, though it is another HttpClient.
        var apiDelay = TimeSpan.FromMilliseconds(300);
        await using var server = await ReplayServer.StartAsync((context, request) => request.Path == "/oai"
            ? ReplayServer.Xml(context, Fixture.Read("arxiv-oai/ErrorResponseNoRecordsMatch.xml"))
            : ReplayServer.Xml(context, Fixture.AtomBody("arxiv-api/arxiv.py_2026_recorded/id_0000.0000_s0_m100_8b51d9633a68.json")));
        using var provider = Services(new()
        {
            ["Sources:ArxivOai:BaseUrl"] = server.Url("/oai").ToString(),
            ["Sources:ArxivOai:MinDelay"] = "00:00:00",
            ["Sources:ArxivApi:BaseUrl"] = server.Url("/api/query").ToString(),
            ["Sources:ArxivApi:MinDelay"] = apiDelay.ToString(),
        });

        await provider.GetRequiredService<OaiPmhClient>().ListRecordsAsync(new OaiListRequest("arXivRaw", null, null), CancellationToken.None);
        await provider.GetRequiredService<ArxivApiClient>().QueryAsync(new ArxivQuery(null, ["0000.0000"]), CancellationToken.None);

        // Each arrival is stamped before its answer is written, so two arrivals are at least as far
        // apart as the gate's wait between the first answer and the second request.
        var (oai, api) = (server.Requests[0], server.Requests[1]);
        Assert.Equal(("/oai", "/api/query"), (oai.Path, api.Path));
        Assert.True(api.At - oai.At >= apiDelay - SendTimes.TimerSlack, $"requests {(api.At - oai.At).TotalMilliseconds} ms apart");
    }

    [Fact]
    public async Task The_arXiv_API_without_a_BaseUrl_is_reported_as_not_configured()
    {
        using var unconfigured = Services([]);
        using var configured = Services(new() { ["Sources:ArxivApi:BaseUrl"] = "https://api.example/query" });

        var client = unconfigured.GetRequiredService<ArxivApiClient>();
        Assert.False(client.IsConfigured);
        Assert.True(configured.GetRequiredService<ArxivApiClient>().IsConfigured);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.QueryAsync(new ArxivQuery(null, ["2401.00001"]), CancellationToken.None));
        Assert.Equal("Sources:ArxivApi:BaseUrl is not configured, so the arXiv API cannot be queried.", ex.Message);
    }

    [Fact]
    public void Defaults_are_arXiv_politeness_and_real_endpoints()
    {
        using var provider = Services([]);
        var oai = provider.GetRequiredService<IOptions<ArxivOaiOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(3), oai.MinDelay);
        Assert.Equal("arXivRaw", oai.MetadataPrefix);
        Assert.Equal(TimeSpan.FromSeconds(3), provider.GetRequiredService<IOptions<ArxivApiOptions>>().Value.MinDelay);
    }

    [Theory]
    [InlineData("Sources:ArxivOai:MetadataPrefix", "oai_dc")]
    [InlineData("Sources:ArxivOai:Cron", "every day")]
    [InlineData("Sources:HfDaily:BaseUrl", "ftp://hf.example/")]
    [InlineData("Sources:ArxivApi:PageSize", "5000")]
    public void Invalid_settings_are_refused(string key, string value)
    {
        using var provider = Services(new() { [key] = value });
        Assert.Throws<OptionsValidationException>(() =>
        {
            _ = provider.GetRequiredService<IOptions<ArxivOaiOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<ArxivApiOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<HfDailyOptions>>().Value;
        });
    }

    [Fact]
    public async Task The_harvester_not_the_resilience_handler_waits_out_503_while_other_failures_are_retried()
    {
        var pages = OaiPages.Split(Fixture.Read("arxiv-oai/ListRecordsResponse.xml"), 3);
        var answered = new HashSet<string>();
        await using var server = await ReplayServer.StartAsync((context, request) =>
        {
            var token = request["resumptionToken"] ?? "start";
            var firstTime = answered.Add(token);
            if (token == "t1" && firstTime)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                return Task.CompletedTask;
            }

            if (token == "start" && firstTime)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return Task.CompletedTask;
            }

            return ReplayServer.Xml(context, token == "start" ? pages[0] : pages[1]);
        });
        var cursors = new InMemoryCursorStore();
        var sink = new RecordingSink();
        using var provider = Services(new()
        {
            ["Sources:ArxivOai:BaseUrl"] = server.Url("/oai").ToString(),
            ["Sources:ArxivOai:MinDelay"] = "00:00:00.010",
            ["Sources:ArxivOai:InitialFrom"] = "2014-10-01",
        }, cursors, sink);

        var result = await provider.GetRequiredService<OaiPmhHarvester>().HarvestAsync(null, CancellationToken.None);

        Assert.Equal(1, result.Throttled); // the 503 reached the harvester: the handler did not retry it
        Assert.Equal(6, result.Papers);
        Assert.Equal(["start", "start", "t1", "t1"], server.Requests.Select(r => r["resumptionToken"] ?? "start"));
    }

    [Fact]
    public async Task A_redirect_to_another_host_is_refused_and_the_cursor_kept()
    {
        await using var server = await ReplayServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = "http://elsewhere.invalid/oai";
            return Task.CompletedTask;
        });
        var cursors = new InMemoryCursorStore();
        using var provider = Services(new()
        {
            ["Sources:ArxivOai:BaseUrl"] = server.Url("/oai").ToString(),
            ["Sources:ArxivOai:MinDelay"] = "00:00:00",
        }, cursors);

        var ex = await Assert.ThrowsAsync<ConnectorHttpException>(() =>
            provider.GetRequiredService<OaiPmhHarvester>().HarvestAsync("cs:cs:LG", CancellationToken.None));

        Assert.Contains("redirect to 'http://elsewhere.invalid/oai' refused", ex.Message);
        Assert.Single(server.Requests);
        Assert.Empty(cursors.Saved);
    }
}
