using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Papers.Api.Consumers;
using Papers.Api.Data;
using Papers.Api.Tests.Web;
using Papers.Contracts;
using Papers.ServiceDefaults.Composition;
using Papers.TestSupport;

namespace Papers.Api.Tests;

/// <summary>
/// Every DOI of <c>PaperIngested.dois</c> is stored (SQLite and PostgreSQL) and shown: in the
/// JSON API, <c>/v1</c> and the paper page. An event from before the field, with only <c>doi</c>,
/// still gives that DOI; the PostgreSQL migration turns each stored DOI into its list.
/// </summary>
public sealed class PaperDoisTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    // arXiv's doi field for a paper and its erratum, and an older event's single DOI.
    private static readonly string[] Both = ["10.1103/PhysRevD.76.013009", "10.1103/PhysRevD.77.039901"];
    private const string Single = "10.1088/1126-6708/2007/05/001";

    [Fact]
    public async Task Sqlite_every_doi_of_an_event_is_stored_and_an_old_event_s_one_doi_too() =>
        await Every_doi_of_an_event_is_stored_and_an_old_event_s_one_doi_too(await SqliteFileTestDatabase<ApiDbContext>.CreateAsync());

    [PostgresFact]
    public async Task Postgres_every_doi_of_an_event_is_stored_and_an_old_event_s_one_doi_too() =>
        await Every_doi_of_an_event_is_stored_and_an_old_event_s_one_doi_too(await PostgresTestDatabase<ApiDbContext>.CreateAsync());

    private static async Task Every_doi_of_an_event_is_stored_and_an_old_event_s_one_doi_too(TestDatabase<ApiDbContext> database)
    {
        await using var _ = database;
        await using var replica = await ReplicaHost<ApiDbContext>.StartAsync(database, new ServiceModule("Api", bus => bus.AddConsumer<IndexPaperConsumer>()),
            services => services.AddSingleton<Papers.Api.Search.SearchIndexSignal>());
        var (many, old, none, joined) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await replica.PublishAsync(Ingested("0704.0001", Both[0], Both), many);
        // An event from before the field: no dois (Contracts.Tests shows such JSON reads as null).
        await replica.PublishAsync(Ingested("0704.0002", Single, null), old);
        await replica.PublishAsync(Ingested("0704.0003", null, []), none);
        // Older still: several DOIs joined by spaces in doi.
        await replica.PublishAsync(Ingested("0704.0004", string.Join(' ', Both), null), joined);
        foreach (var id in new[] { many, old, none, joined })
            await replica.WaitConsumedAsync(id, Patience);

        await using var db = database.Context();
        var stored = await db.Papers.AsNoTracking().OrderBy(p => p.PaperId).ToListAsync();
        Assert.Equal([(Both[0], Both), (Single, [Single]), ((string?)null, Array.Empty<string>()), (Both[0], Both)], stored.Select(p => (p.Doi, p.Dois.ToArray())));
    }

    [PostgresFact]
    public async Task Postgres_the_migration_turns_each_stored_doi_into_its_list()
    {
        await using var database = await PostgresTestDatabase<ApiDbContext>.CreateAsync("20261130094956_Retagging");
        await database.ScalarAsync($"""
            INSERT INTO papers ("PaperId", "Version", "Title", "Abstract", "Authors", "Categories", "ContentHash", "Doi", "IngestedAt", "ListedOn",
                "LocalUpvotes", "Revision", "Source", "SourceUpvotes", "UpdatedAt")
            VALUES ('0704.0001', 1, 't', 'a', '[]', '[]', 'h1', '{Single}', now(), '2007-04-02', 0, 0, 'arxiv-oai', 0, now()),
                   ('0704.0002', 1, 't', 'a', '[]', '[]', 'h2', NULL, now(), '2007-04-02', 0, 0, 'arxiv-oai', 0, now()),
                   ('0704.0003', 1, 't', 'a', '[]', '[]', 'h3', '{string.Join(' ', Both)}', now(), '2007-04-02', 0, 0, 'arxiv-oai', 0, now())
            """);
        await using (var migrate = database.Context())
            await migrate.Database.MigrateAsync();

        await using var db = database.Context();
        var stored = await db.Papers.AsNoTracking().OrderBy(p => p.PaperId).ToListAsync();
        Assert.Equal([(Single, [Single]), ((string?)null, Array.Empty<string>()), (Both[0], Both)], stored.Select(p => (p.Doi, p.Dois.ToArray())));
    }

    [Fact]
    public async Task The_json_api_v1_and_the_paper_page_show_every_doi()
    {
        using var host = new ApiHost(new() { ["Services:Enrichment"] = "http://127.0.0.1:9" });
        var paper = Seed.Paper("0704.0001", new DateOnly(2026, 6, 8));
        (paper.Doi, paper.Dois) = (Both[0], [.. Both]);
        await host.SeedRowsAsync(paper);
        // The /v1 listing reads the facet index, refreshed on its own schedule: now, as V1Tests does.
        await host.Services.GetRequiredService<Papers.Api.Browse.FacetHydrator>().RefreshAsync(default);
        using var client = host.CreateClient();

        var api = await client.GetFromJsonAsync<JsonElement>("/api/papers/0704.0001");
        Assert.Equal(Both, api.GetProperty("dois").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(Both[0], api.GetProperty("doi").GetString());
        var v1 = await client.GetFromJsonAsync<JsonElement>("/v1/papers/0704.0001");
        Assert.Equal(Both, v1.GetProperty("dois").EnumerateArray().Select(d => d.GetString()));
        var chosen = (await client.GetFromJsonAsync<JsonElement>("/v1/papers?fields=dois")).GetProperty("data").EnumerateArray().Single();
        Assert.Equal(["id", "dois"], chosen.EnumerateObject().Select(p => p.Name));

        var page = await client.GetStringAsync("/papers/0704.0001");
        foreach (var doi in Both)
            Assert.Contains($"<a href=\"https://doi.org/{doi}\">DOI {doi}</a>", page);
    }

    private static PaperIngested Ingested(string id, string? doi, string[]? dois) => new(
        id, 1, $"Title {id}", "Abstract", [], "hep-ph", ["hep-ph"], null, new DateOnly(2007, 4, 2), "arxiv-oai", 0,
        null, null, doi, null, null, null, null, "h-" + id, DateTimeOffset.UtcNow, dois);
}
