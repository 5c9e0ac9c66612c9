using System.Text.Json;
using Papers.Ingest.Commands;

namespace Papers.Ingest.Tests.Commands;

public class ParseCommandTests
{
    /// <summary>Runs the command: its exit code, the JSONL lines on stdout, and stderr.</summary>
    internal static async Task<(int Code, string[] Lines, string Errors)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ParseCommand.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), stderr.ToString());
    }

    [Fact]
    public async Task Prints_normalised_papers_as_camelCase_JSONL()
    {
        var (code, lines, errors) = await Run("parse", Fixture.PathOf("arxiv-oai/GetRecordResponse.xml"));

        Assert.Equal(0, code);
        var json = JsonDocument.Parse(Assert.Single(lines)).RootElement;
        Assert.Equal("1302.2146", json.GetProperty("arxivId").GetString());
        Assert.Equal("The Same-Sign Dilepton Signature of RPV/MFV SUSY", json.GetProperty("title").GetString());
        Assert.Equal("hep-ph", json.GetProperty("primaryCategory").GetString());
        Assert.Equal("2013-02-08", json.GetProperty("publishedOn").GetString());
        Assert.Equal(2, json.GetProperty("versions").GetArrayLength());
        Assert.Equal("Joshua Berger", json.GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Contains("GetRecordResponse.xml (oai): 1 of 1 parsed, 0 failed", errors);
    }

    [Fact]
    public async Task An_explicit_format_reads_a_recorded_exchange()
    {
        var (code, lines, _) = await Run("parse", Fixture.PathOf("arxiv-api/arxiv.py_2026_recorded/id_1605.08386_s0_m100_199195aa31ad.json"), "--format", "atom");

        Assert.Equal(0, code);
        Assert.Contains("\"arxivId\":\"1605.08386\"", Assert.Single(lines));
    }

    [Fact]
    public async Task Problems_go_to_stderr_with_file_and_line_and_exit_1()
    {
        var path = Fixture.PathOf("handmade/jsonl-malformed-line.jsonl");
        var (code, lines, errors) = await Run("parse", path, "--format", "jsonl", "--reference-date", "2025-11-07");

        Assert.Equal(1, code);
        Assert.Equal(3, lines.Length);
        Assert.Contains($"{path}: line 2, position", errors);
        Assert.Contains($"{path}: line 4: missing 'title'", errors);
    }

    [Fact]
    public async Task The_reference_date_places_yearless_dates()
    {
        var (_, lines, _) = await Run("parse", Fixture.PathOf("jsonl/daily-papers-page.jsonl"), "--reference-date", "2025-11-07");

        Assert.Contains("\"publishedOn\":\"2025-04-11\"", lines[0]);
    }

    [Fact]
    public async Task Truncated_XML_names_file_and_line()
    {
        var path = Fixture.PathOf("handmade/oai-ListRecords-truncated.xml");
        var (code, lines, errors) = await Run("parse", path);

        Assert.Equal(1, code);
        Assert.Empty(lines);
        Assert.StartsWith($"{path}: line 41, position", errors);
    }

    [Theory]
    [InlineData]
    [InlineData("harvest")]
    [InlineData("parse")]
    [InlineData("parse", "x.xml", "--format", "pdf")]
    [InlineData("parse", "x.xml", "--reference-date", "07/11/2025")]
    [InlineData("parse", "x.xml", "--publish")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var (code, lines, errors) = await Run(args);

        Assert.Equal(2, code);
        Assert.Empty(lines);
        Assert.Contains(ParseCommand.Usage, errors);
    }

    [Fact]
    public async Task A_missing_file_exits_2()
    {
        var (code, _, errors) = await Run("parse", "/nonexistent/papers.jsonl");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/papers.jsonl: file not found", errors);
    }
}
