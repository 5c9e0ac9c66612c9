using System.Text.Json;
using Papers.Contracts;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Parsing;

public class JsonlPaperParserTests
{
    private static readonly JsonlParseOptions CaptureDay = new(new DateOnly(2025, 11, 7));

    [Fact]
    public void Reads_the_bundled_daily_papers_sample_with_yearless_dates()
    {
        var result = JsonlPaperParser.Parse(Fixture.Read("jsonl/daily-papers-page.jsonl"), "daily-papers-page.jsonl", CaptureDay);

        Assert.Empty(result.Problems);
        Assert.Equal(74, result.Papers.Count);
        var first = result.Papers[0];
        Assert.Equal("A Strategic Coordination Framework of Small LLMs Matches Large LLMs in Data Synthesis", first.Title);
        Assert.StartsWith("While data synthesis and distillation are promising strategies", first.Abstract);
        Assert.Null(first.ArxivId);
        Assert.Equal("file", first.Source);

        Assert.Equal(new DateOnly(2025, 4, 11), result.Papers.Single(p => p.Title.StartsWith("A Strategic Coordination", StringComparison.Ordinal)).PublishedOn);
        Assert.All(result.Papers.Where(p => p.PublishedOn is not null), p => Assert.True(p.PublishedOn <= CaptureDay.ReferenceDate));
        Assert.Contains(result.Papers, p => p.PublishedOn == new DateOnly(2023, 10, 13));
        Assert.Contains(result.Papers, p => p.SourceUpvotes > 0);
    }

    [Theory]
    [InlineData("Apr 11", 2025, 4, 11)]
    [InlineData("Nov 7", 2025, 11, 7)]
    [InlineData("Dec 20", 2024, 12, 20)] // after the capture day, so last year's
    [InlineData("Oct 13, 2023", 2023, 10, 13)]
    [InlineData("2024-02-29", 2024, 2, 29)]
    [InlineData("2026-05-30T00:00:00.000Z", 2026, 5, 30)]
    [InlineData("Feb 29", 2024, 2, 29)]
    public void Reads_display_and_iso_dates(string text, int year, int month, int day) =>
        Assert.Equal(new DateOnly(year, month, day),
            JsonlPaperParser.Parse($$"""{"title":"t","publishedText":"{{text}}"}""", "x", CaptureDay).Papers[0].PublishedOn);

    [Fact]
    public void Reads_crawled_listings_with_ids_authors_and_categories()
    {
        var cs = JsonlPaperParser.Parse(Fixture.Read("jsonl/arxiv-cs-listing-2025-03-18-head5.jsonl"), "cs", CaptureDay);
        Assert.Empty(cs.Problems);
        Assert.Equal(["2503.11731", "2503.11742", "2503.11750", "2503.11780", "2503.11781"], cs.Papers.Select(p => p.ArxivId));
        var second = cs.Papers[1];
        Assert.Equal(["cs.CV", "cs.AI"], second.Categories);
        Assert.Equal("Moreno D'Incà", second.Authors[0].Name);
        Assert.Equal("Work in progress", second.Comments);
        Assert.Equal("https://arxiv.org/abs/2503.11742", second.AbsUrl);

        var astro = JsonlPaperParser.Parse(Fixture.Read("jsonl/arxiv-astroph-listing-2026-06-30-head3.jsonl"), "astro", CaptureDay);
        var paper = astro.Papers[0];
        Assert.Equal("2606.30643", paper.ArxivId);
        Assert.Equal(1, paper.LatestVersion);
        Assert.Equal("astro-ph.HE", paper.PrimaryCategory);
        Assert.Equal(["astro-ph.HE", "astro-ph.GA", "astro-ph.SR"], paper.Categories);
        Assert.Contains("$\\sim$10 yr baselines", paper.Abstract);
    }

    [Fact]
    public void Reads_back_what_the_dry_run_writes()
    {
        var original = OaiPmhParser.Parse(Fixture.Read("arxiv-oai/ListRecordsResponse.xml"), "oai").Papers[1];
        var line = PaperJson.ToJsonLine(original);

        var back = Assert.Single(JsonlPaperParser.Parse(line, "export.jsonl").Papers);

        Assert.Equal(original with { Source = "file", Authors = back.Authors, Categories = back.Categories, Versions = back.Versions, Dois = back.Dois }, back);
        Assert.Equal(original.Dois, back.Dois);
        Assert.Equal(original.Authors, back.Authors);
        Assert.Equal(original.Categories, back.Categories);
        Assert.Equal(original.Versions, back.Versions);
    }

    [Fact]
    public void Reads_a_json_array_and_authors_as_objects_or_one_string()
    {
        const string content = """
            [
              {"arxivId": "2401.01234v2", "title": "One", "abstract": "A", "authors": [{"name": "Ada Lovelace", "keyname": "Lovelace", "forenames": "Ada"}]},
              {"id": "hep-th/9901001", "title": "Two", "summary": "B", "authors": "A. One, B. Two and C. Three", "categories": "hep-th gr-qc"},
              {"summary": "no title"}
            ]
            """;

        var result = JsonlPaperParser.Parse(content, "papers.json");

        Assert.Equal(["2401.01234", "hep-th/9901001"], result.Papers.Select(p => p.ArxivId));
        Assert.Equal(2, result.Papers[0].LatestVersion);
        Assert.Equal([new PaperAuthor("Ada Lovelace", "Lovelace", "Ada")], result.Papers[0].Authors);
        Assert.Equal(["A. One", "B. Two", "C. Three"], result.Papers[1].Authors.Select(a => a.Name));
        Assert.Equal(["hep-th", "gr-qc"], result.Papers[1].Categories);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(("papers.json", 4), (problem.Source, problem.Line));
        Assert.Equal("missing 'title'", problem.Message);
    }

    [Fact]
    public void Reads_one_pretty_printed_object()
    {
        var content = JsonSerializer.Serialize(new { title = "Solo", summary = "S", id = "2401.00001" }, new JsonSerializerOptions { WriteIndented = true });
        var result = JsonlPaperParser.Parse(content, "one.json");
        Assert.Equal("2401.00001", Assert.Single(result.Papers).ArxivId);
        Assert.Empty(result.Problems);
    }
}
