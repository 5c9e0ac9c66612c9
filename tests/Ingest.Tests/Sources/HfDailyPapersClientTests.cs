using Microsoft.Extensions.Options;
using Papers.Domain;
using Papers.Ingest.Sources;

namespace Papers.Ingest.Tests.Sources;

public sealed class HfDailyPapersClientTests
{
    [Fact]
    public async Task Imports_the_curated_list_of_a_day_page_by_page()
    {
        await using var server = await ReplayServer.StartAsync((context, request) =>
            ReplayServer.Xml(context, request["p"] == "0" ? Fixture.Read("hf-daily-papers/daily_papers_2026-06-12.json") : "[]"));
        var client = new HfDailyPapersClient(new HttpClient(), Options.Create(new HfDailyOptions
        {
            BaseUrl = server.Url("/api/daily_papers"),
            PageSize = 30,
        }));

        var result = await client.GetDailyAsync(new DateOnly(2026, 6, 12), CancellationToken.None);

        Assert.Empty(result.Problems);
        Assert.Equal(30, result.Papers.Count);
        Assert.All(result.Papers, p => Assert.Equal(new DateOnly(2026, 6, 12), p.ListedOn));
        Assert.Equal(118, result.Papers.Single(p => p.ArxivId == "2606.13681").SourceUpvotes);
        Assert.Equal([("2026-06-12", "0", "30"), ("2026-06-12", "1", "30")],
            server.Requests.Select(r => (r["date"], r["p"], r["limit"])));
    }

    [Fact]
    public async Task A_bad_date_answer_is_an_error_naming_the_request()
    {
        await using var server = await ReplayServer.StartAsync((context, _) =>
            ReplayServer.Xml(context, """{"error":"Invalid date"}""", 400));
        var client = new HfDailyPapersClient(new HttpClient(), Options.Create(new HfDailyOptions { BaseUrl = server.Url("/api/daily_papers") }));

        var ex = await Assert.ThrowsAsync<ConnectorHttpException>(() => client.GetDailyAsync(new DateOnly(2026, 6, 12), CancellationToken.None));

        Assert.Contains("date=2026-06-12", ex.SourceName);
        Assert.Contains("HTTP 400", ex.Message);
        Assert.Contains("Invalid date", ex.Message);
    }
}
