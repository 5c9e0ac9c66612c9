using System.Text.Json;
using System.Text.RegularExpressions;
using Papers.Api.Data;

namespace Papers.Api.Tests.Web;

/// <summary>
/// Our Hugging Face-compatible endpoints against a real response of theirs
/// (<c>Fixtures/hf-daily-papers/</c>, see its SOURCES.md): every field they always send, we send,
/// with the same JSON type (null where we have no data), dates written as theirs.
/// </summary>
public sealed class HfContractTests : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 6, 12);
    private readonly ApiHost _host = new(new() { ["Services:Enrichment"] = "http://127.0.0.1:9" });
    private HttpClient _client = default!;

    private static JsonElement[] TheirItems()
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf-daily-papers", "daily_papers_2026-06-12.json"));
        return [.. JsonDocument.Parse(file).RootElement.Clone().EnumerateArray()];
    }

    public async Task InitializeAsync()
    {
        _client = _host.CreateClient();
        await _host.SeedRowsAsync(
            Seed.Paper("2606.00001", Day, "Harvested from arXiv", upvotes: 3, categories: ["cs.CL", "cs.LG"]),
            Seed.Enrichment("2606.00001", "cs.CL"),
            Seed.Paper("2606.00002", Day, "Imported, not yet enriched", source: "hf-daily"),
            Seed.Paper("p-0123456789ab", Day, "Submitted by title and abstract", source: "submission", submittedBy: "v-0123456789abcdef01234567"),
            Seed.Enrichment("p-0123456789ab", "cs.AI", "cs.LG"));
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    private async Task<JsonElement> GetAsync(string url)
    {
        using var response = await _client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Daily_papers_items_carry_every_field_hugging_face_always_sends_with_its_type()
    {
        var ours = await GetAsync("/api/daily_papers?date=2026-06-12");

        Assert.Equal(3, ours.GetArrayLength());
        Assert.Empty(JsonShape.Breaches(JsonShape.Of(TheirItems()), JsonShape.Of([.. ours.EnumerateArray()])));
    }

    [Fact]
    public async Task A_paper_by_id_is_the_paper_object_of_their_items()
    {
        var ours = new[] { await GetAsync("/api/papers/2606.00001"), await GetAsync("/api/papers/2606.00002"), await GetAsync("/api/papers/p-0123456789ab") };

        Assert.Empty(JsonShape.Breaches(JsonShape.Of([.. TheirItems().Select(i => i.GetProperty("paper"))]), JsonShape.Of(ours)));
    }

    [Fact]
    public async Task Authors_submitters_and_dates_read_as_theirs_do()
    {
        var item = (await GetAsync("/api/daily_papers?date=2026-06-12&sort=trending"))[0];
        var paper = item.GetProperty("paper");

        Assert.Equal("2606.00001", paper.GetProperty("id").GetString());
        Assert.Equal(["Ada Lovelace", "Alan Turing"], paper.GetProperty("authors").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.Equal("2026-06-12T00:00:00.000Z", paper.GetProperty("submittedOnDailyAt").GetString());
        Assert.Equal("2026-06-09T00:00:00.000Z", paper.GetProperty("publishedAt").GetString());
        Assert.Equal("arxiv-oai", item.GetProperty("submittedBy").GetProperty("_id").GetString());
        Assert.Equal("source", item.GetProperty("submittedBy").GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, paper.GetProperty("ai_summary").ValueKind);

        var submitted = await GetAsync("/api/papers/p-0123456789ab");
        Assert.Equal("visitor", submitted.GetProperty("submittedOnDailyBy").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Submitter_filters_as_theirs_does()
    {
        var bySource = await GetAsync("/api/daily_papers?date=2026-06-12&submitter=hf-daily");
        var byVisitor = await GetAsync("/api/daily_papers?date=2026-06-12&submitter=v-0123456789abcdef01234567");

        Assert.Equal(["2606.00002"], bySource.EnumerateArray().Select(i => i.GetProperty("paper").GetProperty("id").GetString()));
        Assert.Equal(["p-0123456789ab"], byVisitor.EnumerateArray().Select(i => i.GetProperty("paper").GetProperty("id").GetString()));
    }

    [Fact]
    public void The_contract_check_catches_what_it_is_for()
    {
        var theirs = JsonShape.Of(TheirItems());
        var item = TheirItems()[0];
        var withoutSubmitter = JsonDocument.Parse(item.GetRawText().Replace("\"submittedBy\"", "\"renamed\"", StringComparison.Ordinal)).RootElement;
        var numberAsString = JsonDocument.Parse(Regex.Replace(item.GetRawText(), "\"numComments\":\\s*(\\d+)", "\"numComments\":\"$1\"")).RootElement;
        var bareDate = JsonDocument.Parse(item.GetRawText().Replace("\"2026-06-12T00:00:00.000Z\"", "\"2026-06-12\"", StringComparison.Ordinal)).RootElement;

        Assert.Empty(JsonShape.Breaches(theirs, JsonShape.Of(item)));
        Assert.Contains(JsonShape.Breaches(theirs, JsonShape.Of(withoutSubmitter)), b => b.StartsWith(".submittedBy:", StringComparison.Ordinal));
        Assert.Contains(JsonShape.Breaches(theirs, JsonShape.Of(numberAsString)), b => b.StartsWith(".numComments:", StringComparison.Ordinal));
        Assert.Contains(JsonShape.Breaches(theirs, JsonShape.Of(bareDate)), b => b.Contains("timestamps", StringComparison.Ordinal));
    }
}
