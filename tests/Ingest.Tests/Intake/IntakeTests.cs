using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Contracts;
using Papers.Domain;
using Papers.Ingest.Data;
using Papers.Ingest.Intake;
using Papers.Ingest.Parsing;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;

namespace Papers.Ingest.Tests.Intake;

public sealed class IntakeTests : IDisposable
{
    private readonly SqliteTestDatabase<IngestDbContext> _database = new();
    private readonly IngestDbContext _db;

    public IntakeTests() => _db = _database.Context();

    public void Dispose()
    {
        _db.Dispose();
        _database.Dispose();
    }

    private static SourcePaper Paper(string title, string @abstract = "An abstract.", string? arxivId = null, int version = 1) =>
        new(arxivId, title, @abstract, [new PaperAuthor("Ada Lovelace")], "cs.LG", ["cs.LG"],
            [new PaperVersion(version, null)], null, new DateOnly(2025, 11, 7), "file");

    private List<PaperIngested> Published() =>
        _db.Set<OutboxMessage>().AsEnumerable().Select(m => System.Text.Json.JsonSerializer.Deserialize<PaperIngested>(m.Body)!).ToList();

    [Fact]
    public async Task The_same_paper_twice_is_ingested_once_with_a_stable_id()
    {
        var intake = new PaperIntake(_db, TimeProvider.System);

        var first = await intake.IngestAsync([Paper("Scaling Laws"), Paper("Other")], default);
        var again = await intake.IngestAsync([Paper("Scaling Laws")], default);

        Assert.Equal((2, 0, 0), (first.New, first.Revised, first.Unchanged));
        Assert.Equal((0, 0, 1), (again.New, again.Revised, again.Unchanged));
        Assert.Equal(first.PaperIds[0], again.PaperIds[0]);
        Assert.StartsWith("p-", first.PaperIds[0]);
        // A paper new to Ingest without arXiv id is known by title + first author + year, never by its title alone.
        Assert.Equal(first.PaperIds[0], PaperIds.FromIdentity(PaperIds.IdentityKey(null, null, "Scaling  laws!", "Ada Lovelace", null, "An abstract.")));
        Assert.Equal(2, Published().Count);
    }

    [Fact]
    public async Task Changed_content_of_a_known_paper_publishes_a_new_version()
    {
        var intake = new PaperIntake(_db, TimeProvider.System);
        await intake.IngestAsync([Paper("Title", "First abstract.", "2401.00001")], default);

        var revised = await intake.IngestAsync([Paper("Title", "Second abstract.", "2401.00001", version: 2)], default);

        Assert.Equal(1, revised.Revised);
        var events = Published();
        Assert.Equal([1, 2], events.Select(e => e.Version));
        Assert.All(events, e => Assert.Equal("2401.00001", e.PaperId));
        Assert.NotEqual(events[0].ContentHash, events[1].ContentHash);
    }

    [Fact]
    public async Task A_malformed_line_is_reported_with_its_number_and_the_rest_is_ingested()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file,
        [
            """{"title": "Good one", "summary": "Fine.", "upvotes": 3}""",
            """{"title": "Broken", "summary": """,
            """{"title": "Good two", "summary": "Also fine.", "publishedText": "Apr 11"}""",
        ]);
        var logs = new ListLogger();
        try
        {
            var import = new FileImport(new PaperIntake(_db, TimeProvider.System), logs);

            var summary = await import.ImportAsync(new ImportFile(file, new DateOnly(2025, 11, 7)), default);

            Assert.Equal(2, summary.Intake.New);
            Assert.Equal(1, summary.Skipped);
            Assert.Contains(logs.Messages, m => m.Contains("line 2", StringComparison.OrdinalIgnoreCase) && m.Contains(file));
            var events = Published();
            Assert.All(events, e => Assert.Equal(new DateOnly(2025, 11, 7), e.ListedOn));
            Assert.Equal(new DateOnly(2025, 4, 11), events.Single(e => e.Title == "Good two").PublishedOn);
            Assert.Equal(3, events.Single(e => e.Title == "Good one").SourceUpvotes);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("abs/2304.09157.abs", "abs", 1)]
    [InlineData("arxiv-oai/ListRecordsResponse.xml", "oai", 6)]
    [InlineData("hf-daily-papers/daily_papers_2026-06-12.json", "hf", 30)]
    [InlineData("arxiv-api/arxiv.py_2026_recorded/id_1605.08386_s0_m100_199195aa31ad.json", "atom", 1)]
    [InlineData("feeds/arxiv-rss-cs.LG.xml", "feed", 3)]
    [InlineData("feeds/arxiv-atom-cs.LG.xml", "feed", 2)]
    public async Task Every_supported_format_can_be_imported(string fixture, string format, int papers)
    {
        var import = new FileImport(new PaperIntake(_db, TimeProvider.System), new ListLogger());

        var summary = await import.ImportAsync(new ImportFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture)), default);
        var again = await import.ImportAsync(new ImportFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture)), default);

        Assert.Equal((format, papers, papers, 0), (summary.Format, summary.Read, summary.Intake.New, summary.Skipped));
        Assert.Equal((0, papers), (again.Intake.New, again.Intake.Unchanged));
        Assert.Equal(papers, Published().Count);
    }

    [Fact]
    public async Task A_file_with_unreadable_records_imports_the_others_and_counts_the_rest_as_skipped()
    {
        var logger = new ListLogger();
        var import = new FileImport(new PaperIntake(_db, TimeProvider.System), logger);

        var summary = await import.ImportAsync(new ImportFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "feeds", "oai_dc-ListRecords.xml")), default);

        // 3 papers; skipped: the record without a title and the deleted record.
        Assert.Equal(("oai", 3, 3, 2), (summary.Format, summary.Read, summary.Intake.New, summary.Skipped));
        Assert.Contains(logger.Messages, m => m.Contains("oai:repository.example.edu:1204: <dc> has no <dc:title>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_abs_file_keeps_its_arXiv_id_and_versions()
    {
        var import = new FileImport(new PaperIntake(_db, TimeProvider.System), new ListLogger());

        await import.ImportAsync(new ImportFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "abs", "2304.09157.abs")), default);

        var paper = Assert.Single(Published());
        Assert.Equal(("2304.09157", 2, "Neural networks for geospatial data"), (paper.PaperId, paper.Version, paper.Title));
    }

    private sealed class ListLogger : ILogger<FileImport>
    {
        public List<string> Messages { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
