using Papers.Ingest.Parsing;
using Papers.Ingest.Tests.Commands;

namespace Papers.Ingest.Tests.Parsing;

/// <summary>Issue 17, items 1–3 and 7 on the dry run: one bad record never costs its page, empty
/// and unrecognised input are errors, deleted records are not papers.</summary>
public class OneBadRecordTests
{
    private static Task<(int Code, string[] Lines, string Errors)> Parse(params string[] args) => ParseCommandTests.Run(["parse", .. args]);

    [Fact]
    public void A_record_whose_metadata_lacks_its_namespace_is_reported_and_the_others_are_kept()
    {
        var page = OaiPmhParser.Parse(Fixture.Read("handmade/oai-ListRecords-record-without-namespace.xml"), "page.xml");

        Assert.Equal(["0704.0471", "0704.0716", "0704.1109", "0704.1114", "0704.1586"], page.Papers.Select(p => p.ArxivId));
        var failure = Assert.Single(page.FailedRecords);
        Assert.Equal("oai:arXiv.org:0704.0874", failure.RecordId);
        // Without its own xmlns, <arXivRaw> falls into the OAI-PMH namespace of the envelope.
        Assert.StartsWith("unsupported metadata <arXivRaw> in namespace 'http://www.openarchives.org/OAI/2.0/' (expected arXivRaw in", failure.Reason);
        Assert.Equal(new DateOnly(2014, 12, 22), page.LatestDatestamp);
    }

    [Fact]
    public async Task Parse_names_the_failed_record_and_its_reason_in_the_summary_and_exits_1()
    {
        var path = Fixture.PathOf("handmade/oai-ListRecords-record-without-namespace.xml");

        var (code, lines, errors) = await Parse(path);

        Assert.Equal(1, code);
        Assert.Equal(5, lines.Length);
        var summary = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith($"{path} (oai): 5 of 6 parsed, 1 failed: oai:arXiv.org:0704.0874: unsupported metadata <arXivRaw> in namespace 'http://www.openarchives.org/OAI/2.0/'", summary);
        Assert.Contains($"{path}: line 60, position 3: oai:arXiv.org:0704.0874: unsupported metadata", errors);
    }

    [Fact]
    public async Task Deleted_records_are_parsed_but_not_counted_as_papers()
    {
        var (code, lines, errors) = await Parse(Fixture.PathOf("handmade/oai-ListRecords-arXiv-format.xml"));

        Assert.Equal(0, code);
        Assert.Equal(2, lines.Length);
        Assert.Contains("(oai): 2 of 2 parsed (1 paper, 1 deleted record), 0 failed", errors);
    }

    [Theory]
    [InlineData("handmade/empty.jsonl", "empty file: nothing to parse")]
    [InlineData("handmade/whitespace-only.xml", "the file holds only whitespace: nothing to parse")]
    public async Task Empty_input_is_an_error_not_zero_papers(string file, string message)
    {
        var path = Fixture.PathOf(file);

        var (code, lines, errors) = await Parse(path);

        Assert.Equal(1, code);
        Assert.Empty(lines);
        Assert.Equal($"{path}: {message}", errors.Trim());
    }

    [Fact]
    public async Task A_recorded_200_with_an_empty_body_is_an_error_that_says_so()
    {
        var path = Fixture.PathOf("handmade/recorded-200-empty-body.json");

        var (code, _, errors) = await Parse(path);

        Assert.Equal(1, code);
        Assert.Equal($"{path} (recorded HTTP 200 from https://export.arxiv.org/api/query?search_query=&id_list=2104.12255v1&start=0&max_results=100): " +
            "the recorded response has an empty body: nothing to parse", errors.Trim());
    }

    [Fact]
    public async Task A_recorded_503_reports_503()
    {
        var (code, _, errors) = await Parse(Fixture.PathOf("handmade/recorded-503-html.json"));

        Assert.Equal(1, code);
        Assert.Contains("(recorded HTTP 503 from https://oaipmh.arxiv.org/oai?verb=ListRecords&metadataPrefix=arXivRaw)", errors);
        Assert.Contains("got an HTML page (title: '503 Service Temporarily Unavailable')", errors);
    }

    [Fact]
    public async Task A_recorded_error_status_is_an_error_even_when_its_body_parses()
    {
        var body = Fixture.Read("arxiv-oai/GetRecordResponse.xml");
        var folder = Directory.CreateTempSubdirectory("ingest-recorded-");
        var path = Path.Combine(folder.FullName, "recorded.json");
        await File.WriteAllTextAsync(path, System.Text.Json.JsonSerializer.Serialize(new { url = "https://oai.example/oai", status_code = 500, body }));

        var (code, lines, errors) = await Parse(path);
        folder.Delete(recursive: true);

        Assert.Equal(1, code);
        Assert.Empty(lines);
        Assert.Contains("recorded HTTP 500 from https://oai.example/oai): HTTP 500 is an error answer, not papers", errors);
    }

    [Fact]
    public async Task Unrecognised_content_is_reported_once_with_how_it_starts()
    {
        var path = Fixture.PathOf("handmade/mail-listing.txt");

        var (code, lines, errors) = await Parse(path);

        Assert.Equal(1, code);
        Assert.Empty(lines);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{path}: line 1, position 1: unrecognised format: starts with 'From: no-reply@arxiv.org Subject: cs daily", line);
    }

    [Fact]
    public async Task A_text_file_read_as_jsonl_is_one_problem_not_one_per_line()
    {
        var path = Fixture.PathOf("handmade/mail-listing.txt");

        var (code, lines, errors) = await Parse(path, "--format", "jsonl");

        Assert.Equal(1, code);
        Assert.Empty(lines);
        var problems = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, problems.Length); // the problem and the summary
        Assert.StartsWith($"{path}: line 1, position 1: not JSON Lines: none of the first 10 lines is JSON; it starts with 'From: no-reply@arxiv.org'", problems[0]);
    }

    [Fact]
    public async Task The_daily_papers_error_object_is_reported_as_such_not_as_a_missing_title()
    {
        var (code, _, errors) = await Parse(Fixture.PathOf("handmade/hf-error-object.json"));

        Assert.Equal(1, code);
        Assert.Contains("Hugging Face API error: Invalid date: 2026-13-45", errors);
        Assert.DoesNotContain("missing 'title'", errors);

        var (_, _, asJsonl) = await Parse(Fixture.PathOf("handmade/hf-error-object.json"), "--format", "jsonl");
        Assert.Contains("an error object, not a paper: Invalid date: 2026-13-45", asJsonl);
    }

    [Fact]
    public async Task Format_jsonl_on_daily_papers_keeps_the_arXiv_id()
    {
        var (code, lines, _) = await Parse(Fixture.PathOf("hf-daily-papers/daily_papers_2026-06-12.json"), "--format", "jsonl");
        var (_, asHf, _) = await Parse(Fixture.PathOf("hf-daily-papers/daily_papers_2026-06-12.json"));

        Assert.Equal(0, code);
        Assert.Equal(30, lines.Length);
        var ids = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("arxivId").GetString());
        var hfIds = asHf.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("arxivId").GetString());
        Assert.Equal(hfIds, ids);
    }

    [Fact]
    public void Jsonl_keeps_paper_id_categories_and_an_id_that_is_no_arXiv_id()
    {
        const string lines = """
            {"paper_id": "2403.01234", "title": "Docmeta style", "abstract": "A.", "authors": ["Ada Lovelace"], "categories": "cs.CL cs.LG"}
            {"id": "W2741809807", "title": "A catalogue record", "abstract": "B.", "doi": "10.1000/x1 10.1000/x2"}
            {"id": "17", "title": "A row number is no identifier", "abstract": "C."}
            """;

        var papers = JsonlPaperParser.Parse(lines, "docmeta.jsonl").Papers;

        Assert.Equal("2403.01234", papers[0].ArxivId);
        Assert.Equal(["cs.CL", "cs.LG"], papers[0].Categories);
        Assert.Null(papers[1].ArxivId);
        Assert.Equal(["file:W2741809807"], papers[1].ExternalIds);
        Assert.Equal(["10.1000/x1", "10.1000/x2"], papers[1].Dois);
        Assert.Null(papers[2].ExternalIds);
    }

    [Fact]
    public void The_arXiv_format_keeps_its_updated_date()
    {
        var xml = Fixture.Read("handmade/oai-ListRecords-arXiv-format.xml")
            .Replace("<created>2008-01-25</created>", "<created>2008-01-25</created><updated>2008-03-10</updated>", StringComparison.Ordinal);

        var paper = OaiPmhParser.Parse(xml, "arXiv-format").Papers[0];

        Assert.Equal((new DateOnly(2008, 1, 25), new DateOnly(2008, 3, 10)), (paper.PublishedOn, paper.UpdatedOn));
        Assert.Contains("\"updatedOn\":\"2008-03-10\"", PaperJson.ToJsonLine(paper));
    }

    [Theory]
    [InlineData("10.1103/PhysRevC.76.024606 10.1103/PhysRevC.76.039902", new[] { "10.1103/PhysRevC.76.024606", "10.1103/PhysRevC.76.039902" })]
    [InlineData("doi:10.1000/ABC; https://doi.org/10.1000/def, 10.1000/abc", new[] { "10.1000/ABC", "10.1000/def" })]
    [InlineData("not a doi", new string[0])]
    public void Several_DOIs_become_a_list(string field, string[] dois) =>
        Assert.Equal(dois, ArxivMetadata.SplitDois(field));
}
