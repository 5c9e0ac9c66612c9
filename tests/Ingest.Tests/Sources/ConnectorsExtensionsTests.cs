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
        Assert.Equal(("https://oai.example/oai", "arXiv", TimeSpan.FromSeconds(5), "15 4 * * *"), (oai.BaseUrl.ToString(), oai.MetadataPrefix, oai.MinDelay, oai.Cron));
        Assert.Equal(["cs:cs:LG", "cs:cs:AI"], oai.Sets);
        var api = provider.GetRequiredService<IOptions<ArxivApiOptions>>().Value;
        Assert.Equal(("https://api.example/query", TimeSpan.FromSeconds(4)), (api.BaseUrl!.ToString(), api.MinDelay));
        var hf = provider.GetRequiredService<IOptions<HfDailyOptions>>().Value;
        Assert.Equal(("https://hf.example/api/daily_papers", "0 22 * * *"), (hf.BaseUrl.ToString(), hf.Cron));
        Assert.NotNull(provider.GetRequiredService<OaiPmhHarvester>());
        Assert.NotNull(provider.GetRequiredService<ArxivApiClient>());
        Assert.NotNull(provider.GetRequiredService<HfDailyPapersClient>());
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
