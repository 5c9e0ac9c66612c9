using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Parsing;

/// <summary>Every kind of bad input gives an error that names the source and where in it.</summary>
public class BadInputTests
{
    [Fact]
    public void Truncated_OAI_XML_names_the_file_and_the_position()
    {
        var ex = Assert.Throws<ConnectorFormatException>(() =>
            OaiPmhParser.Parse(Fixture.Read("handmade/oai-ListRecords-truncated.xml"), "oai-ListRecords-truncated.xml"));

        Assert.Equal("oai-ListRecords-truncated.xml", ex.SourceName);
        Assert.Equal(41, ex.Line);
        Assert.NotNull(ex.Position);
        Assert.Contains("truncated OAI-PMH XML", ex.Message);
        Assert.StartsWith("oai-ListRecords-truncated.xml: line 41, position", ex.Message);
    }

    [Fact]
    public void A_wrong_OAI_namespace_is_named()
    {
        var ex = Assert.Throws<ConnectorFormatException>(() =>
            OaiPmhParser.Parse(Fixture.Read("handmade/oai-ListRecords-wrong-namespace.xml"), "wrong-ns.xml"));

        Assert.Equal(2, ex.Line);
        Assert.Contains("wrong namespace", ex.Message);
        Assert.Contains("http://www.openarchives.org/OAI/1.1/OAI_ListRecords", ex.Message);
        Assert.Contains("expected 'http://www.openarchives.org/OAI/2.0/'", ex.Message);
    }

    [Fact]
    public void A_record_without_title_fails_that_record_and_keeps_the_page()
    {
        var page = OaiPmhParser.Parse(Fixture.Read("handmade/oai-ListRecords-missing-title.xml"), "missing-title.xml");

        Assert.Equal(["0704.0471", "0704.0874", "0704.1109", "0704.1114", "0704.1586"], page.Papers.Select(p => p.ArxivId));
        var failure = Assert.Single(page.FailedRecords);
        Assert.Equal(("oai:arXiv.org:0704.0716", "<arXivRaw> has no <title> (record 0704.0716)", 40, 3),
            (failure.RecordId, failure.Reason, failure.Line, failure.Position));
        Assert.StartsWith("<record", failure.Content);
        Assert.Contains("<identifier>oai:arXiv.org:0704.0716</identifier>", failure.Content);
        Assert.Equal("missing-title.xml: line 40, position 3: oai:arXiv.org:0704.0716: <arXivRaw> has no <title> (record 0704.0716)",
            Assert.Single(page.ToParseResult("missing-title.xml").Problems).ToString());
    }

    [Fact]
    public void An_HTML_error_page_instead_of_XML_is_recognised()
    {
        var html = Fixture.Read("handmade/oai-html-error-page.html");

        var oai = Assert.Throws<ConnectorFormatException>(() => OaiPmhParser.Parse(html, "https://oai.example/oai"));
        Assert.Equal("https://oai.example/oai: line 1, position 1: expected OAI-PMH XML but got an HTML page (title: '503 Service Temporarily Unavailable')", oai.Message);

        var atom = Assert.Throws<ConnectorFormatException>(() => ArxivAtomParser.Parse(html, "api"));
        Assert.Contains("expected arXiv Atom XML but got an HTML page", atom.Message);

        var hf = Assert.Throws<ConnectorFormatException>(() => HfDailyPapersParser.Parse(html, "hf"));
        Assert.Contains("got an HTML/XML page", hf.Message);
    }

    [Fact]
    public void A_bad_resumption_token_is_an_OAI_error_with_its_code()
    {
        var ex = Assert.Throws<OaiPmhException>(() =>
            OaiPmhParser.Parse(Fixture.Read("arxiv-oai/ErrorResponseBadResumptionToken.xml"), "token=3"));

        Assert.Equal("badResumptionToken", ex.Code);
        Assert.Equal("token=3: line 5, position 2: OAI-PMH error badResumptionToken: The resumptionToken supplied is illegal for this repository", ex.Message);
    }

    [Fact]
    public void Truncated_and_wrong_namespace_Atom_are_errors()
    {
        var truncated = Assert.Throws<ConnectorFormatException>(() =>
            ArxivAtomParser.Parse(Fixture.Read("handmade/atom-truncated.xml"), "atom-truncated.xml"));
        Assert.Contains("truncated arXiv Atom XML", truncated.Message);
        Assert.NotNull(truncated.Line);

        var wrong = Assert.Throws<ConnectorFormatException>(() =>
            ArxivAtomParser.Parse(Fixture.Read("handmade/atom-wrong-namespace.xml"), "atom-wrong-namespace.xml"));
        Assert.Contains("wrong namespace: <feed> is in namespace 'http://purl.org/atom/ns#'", wrong.Message);
    }

    [Fact]
    public void An_OAI_page_is_not_an_Atom_feed()
    {
        var ex = Assert.Throws<ConnectorFormatException>(() =>
            ArxivAtomParser.Parse(Fixture.Read("arxiv-oai/GetRecordResponse.xml"), "GetRecordResponse.xml"));
        Assert.Contains("expected an arXiv Atom feed", ex.Message);
        Assert.Contains("<OAI-PMH>", ex.Message);
    }

    [Fact]
    public void A_malformed_JSONL_line_is_reported_and_the_rest_is_read()
    {
        var result = JsonlPaperParser.Parse(Fixture.Read("handmade/jsonl-malformed-line.jsonl"), "jsonl-malformed-line.jsonl",
            new JsonlParseOptions(new DateOnly(2025, 11, 7)));

        Assert.Equal(3, result.Papers.Count);
        Assert.Equal([2, 4], result.Problems.Select(p => p.Line));
        Assert.StartsWith("jsonl-malformed-line.jsonl: line 2, position ", result.Problems[0].ToString());
        Assert.Contains("malformed JSON Lines JSON", result.Problems[0].Message);
        Assert.Equal("jsonl-malformed-line.jsonl: line 4: missing 'title'", result.Problems[1].ToString());
    }

    [Fact]
    public void An_error_object_instead_of_the_daily_list_is_an_error()
    {
        var ex = Assert.Throws<ConnectorFormatException>(() =>
            HfDailyPapersParser.Parse(Fixture.Read("handmade/hf-error-object.json"), "hf-error-object.json"));
        Assert.Equal("hf-error-object.json: line 1: Hugging Face API error: Invalid date: 2026-13-45", ex.Message);
    }

    [Fact]
    public void A_broken_daily_list_names_line_and_position()
    {
        var content = Fixture.Read("hf-daily-papers/daily_papers_2026-06-12.json")[..5000];
        var ex = Assert.Throws<ConnectorFormatException>(() => HfDailyPapersParser.Parse(content, "cut.json"));
        Assert.NotNull(ex.Line);
        Assert.NotNull(ex.Position);
        Assert.Contains("malformed Hugging Face daily papers JSON", ex.Message);
    }

    [Fact]
    public void An_abs_file_without_its_separators_is_an_error()
    {
        var ex = Assert.Throws<ConnectorFormatException>(() =>
            AbsFileParser.Parse(Fixture.Read("handmade/abs-no-header.abs"), "abs-no-header.abs"));
        Assert.Contains("not an arXiv .abs file", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("Service Unavailable")]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"boom\">]><x>&e;</x>")]
    public void Empty_plain_text_and_DTDs_are_refused(string content)
    {
        var ex = Assert.Throws<ConnectorFormatException>(() => OaiPmhParser.Parse(content, "src"));
        Assert.StartsWith("src: ", ex.Message);
    }
}
