using Microsoft.EntityFrameworkCore;
using Papers.Contracts;
using Papers.Domain;
using Papers.Ingest.Data;
using Papers.Ingest.Intake;
using Papers.Ingest.Parsing;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;

namespace Papers.Ingest.Tests.Intake;

/// <summary>Issue 17, item 6: papers without an arXiv id are known by their strongest identifier,
/// never by their title alone, and ids given before stay valid.</summary>
public sealed class PaperIdentityTests : IDisposable
{
    private static readonly DateTimeOffset Before = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestDatabase<IngestDbContext> _database = new();

    public void Dispose() => _database.Dispose();

    private static SourcePaper Paper(string title, string author, int year, string @abstract = "An abstract.", string[]? dois = null, string[]? externalIds = null) =>
        new(null, title, @abstract, [new PaperAuthor(author)], null, [], [], new DateOnly(year, 5, 1), new DateOnly(2026, 6, 1), "file",
            Dois: dois, ExternalIds: externalIds);

    private async Task<IntakeSummary> IngestAsync(params SourcePaper[] papers)
    {
        await using var db = _database.Context();
        return await new PaperIntake(db, TimeProvider.System).IngestAsync(papers, default);
    }

    private async Task<List<PaperIngested>> PublishedAsync()
    {
        await using var db = _database.Context();
        return [.. (await db.Set<OutboxMessage>().ToListAsync()).Select(m => System.Text.Json.JsonSerializer.Deserialize<PaperIngested>(m.Body)!)];
    }

    /// <summary>A paper as Ingest stored it before identity keys: its title id, no identity.</summary>
    private async Task SeedTitleIdAsync(string title)
    {
        await using var db = _database.Context();
        db.Papers.Add(new SeenPaper
        {
            PaperId = PaperIds.FromSource(null, title),
            Version = 1,
            ContentHash = PaperIds.ContentHash(title, "An abstract.", [new PaperAuthor("Ada Lovelace")]),
            TitleKey = PaperIds.TitleKey(title),
            Source = "file",
            FirstSeenAt = Before,
            LastChangedAt = Before,
        });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Two_papers_sharing_a_title_are_two_papers()
    {
        var summary = await IngestAsync(
            Paper("Attention Is All You Need", "Ada Lovelace", 2025, "A thesis about reading."),
            Paper("Attention Is All You Need", "Grace Hopper", 2024, "A paper about compilers."));
        var again = await IngestAsync(Paper("Attention Is All You Need", "Ada Lovelace", 2025, "A thesis about reading."));

        Assert.Equal(2, summary.New);
        Assert.NotEqual(summary.PaperIds[0], summary.PaperIds[1]);
        Assert.Equal((0, 0, 1, summary.PaperIds[0]), (again.New, again.Revised, again.Unchanged, again.PaperIds[0]));
        var events = await PublishedAsync();
        Assert.Equal(["A thesis about reading.", "A paper about compilers."], events.Select(e => e.Abstract));
    }

    [Fact]
    public async Task Titles_without_letters_or_digits_do_not_merge()
    {
        var summary = await IngestAsync(Paper("!!!", "Ada Lovelace", 2025), Paper("!!!", "Grace Hopper", 2025), Paper("???", "Ada Lovelace", 2025));

        Assert.Equal(3, summary.New);
        Assert.Equal(3, summary.PaperIds.Distinct().Count());
    }

    [Fact]
    public async Task A_DOI_identifies_a_paper_whatever_its_title_says()
    {
        var first = await IngestAsync(Paper("Deep Nets", "Ada Lovelace", 2025, dois: ["10.1000/ABC"]));
        var retitled = await IngestAsync(Paper("Deep Networks", "A. Lovelace", 2025, dois: ["10.1000/abc"]));
        var other = await IngestAsync(Paper("Deep Nets", "Ada Lovelace", 2025, dois: ["10.1000/other"]));

        Assert.Equal((1, first.PaperIds[0]), (retitled.Revised, retitled.PaperIds[0]));
        Assert.Equal(PaperIds.FromIdentity("doi:10.1000/abc"), first.PaperIds[0]);
        Assert.Equal(1, other.New);
    }

    [Fact]
    public async Task A_title_id_given_before_stays_with_its_paper_and_a_second_paper_gets_its_own()
    {
        const string title = "Attention Is All You Need";
        await SeedTitleIdAsync(title);

        var same = await IngestAsync(Paper(title, "Ada Lovelace", 2025));
        var other = await IngestAsync(Paper(title, "Grace Hopper", 2024, "A different paper."));
        var sameAgain = await IngestAsync(Paper(title, "Ada Lovelace", 2025));

        // The paper that had the title id keeps it (its URLs, votes and events stay valid) ...
        Assert.Equal((0, 1, PaperIds.FromSource(null, title)), (same.New, same.Unchanged, same.PaperIds[0]));
        Assert.Equal(PaperIds.FromSource(null, title), sameAgain.PaperIds[0]);
        // ... and a different paper with that title no longer overwrites it.
        Assert.Equal(1, other.New);
        Assert.NotEqual(PaperIds.FromSource(null, title), other.PaperIds[0]);
        await using var db = _database.Context();
        var legacy = await db.Papers.SingleAsync(p => p.PaperId == PaperIds.FromSource(null, title));
        Assert.Equal((1, PaperIds.FromIdentity(PaperIds.IdentityKey(null, null, title, "Ada Lovelace", 2025))), (legacy.Version, legacy.IdentityId));
        Assert.Equal(["A different paper."], (await PublishedAsync()).Select(e => e.Abstract));
    }

    [Fact]
    public async Task The_event_carries_the_first_DOI_and_all_of_them()
    {
        await IngestAsync(Paper("With errata", "Ada Lovelace", 2025, dois: ["10.1103/PhysRevC.76.024606", "10.1103/PhysRevC.76.039902"]));

        var ingested = Assert.Single(await PublishedAsync());
        Assert.Equal("10.1103/PhysRevC.76.024606", ingested.Doi);
        Assert.Equal(["10.1103/PhysRevC.76.024606", "10.1103/PhysRevC.76.039902"], ingested.Dois);
    }

    [Fact]
    public async Task A_Dublin_Core_page_with_two_papers_of_one_title_gives_two_papers()
    {
        var page = OaiPmhParser.Parse(Fixture.Read("feeds/oai_dc-ListRecords.xml"), "oai_dc");

        var summary = await IngestAsync([.. page.Papers.Where(p => !p.Deleted)]);

        Assert.Equal(3, summary.New);
        Assert.Equal(PaperIds.FromIdentity("doi:10.5555/example.1201"), summary.PaperIds[0]);
        Assert.Equal(PaperIds.FromIdentity("id:oai:repository.example.edu:1202"), summary.PaperIds[1]);
        Assert.Equal("2606.01234", summary.PaperIds[2]);
    }
}
