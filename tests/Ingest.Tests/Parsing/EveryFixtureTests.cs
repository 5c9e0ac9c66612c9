using System.Text.Json;
using Papers.Ingest.Commands;

namespace Papers.Ingest.Tests.Parsing;

/// <summary>
/// Runs the dry run over every fixture file with format detection, so a fixture added without an
/// expectation here, or a parser change that loses papers from any recorded response, fails.
/// </summary>
public class EveryFixtureTests
{
    private const string Api16 = "arxiv-api/arxiv.py_2016/";
    private const string Api26 = "arxiv-api/arxiv.py_2026_recorded/";

    /// <summary>File → (exit code, papers printed).</summary>
    private static readonly Dictionary<string, (int Exit, int Papers)> Expected = new()
    {
        ["abs/0011004.abs"] = (0, 1),
        ["abs/0202001.abs"] = (0, 1),
        ["abs/0509037.abs"] = (1, 0), // empty file in arXiv's own test data
        ["abs/0704.0001.abs"] = (0, 1),
        ["abs/1607.08199.abs"] = (0, 1),
        ["abs/2004.02153.abs"] = (0, 1),
        ["abs/2103.11058.abs"] = (0, 1),
        ["abs/2304.09157.abs"] = (0, 1),
        ["abs/9901001.abs"] = (0, 1),
        [Api16 + "id_list=1111.2011v2.xml"] = (0, 1),
        [Api16 + "search_query=au_del_maestro+AND+ti_checkerboard.xml"] = (0, 1),
        [Api16 + "search_query=au_del_maestro+AND+ti_quantum+criticality.xml"] = (0, 2),
        [Api16 + "search_query=au_del_maestro+ANDNOT+_28ti_checkerboard+OR+ti_Pyrochlore_29.xml"] = (0, 10),
        [Api16 + "search_query=au_del_maestro.xml"] = (0, 10),
        [Api26 + "id_0000.0000_s0_m100_8b51d9633a68.json"] = (0, 0),
        [Api26 + "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json"] = (0, 1),
        [Api26 + "id_0808.05394_s0_m100_7b0c7d0a7cdd.json"] = (0, 0),
        [Api26 + "id_1605.08386_s0_m100_199195aa31ad.json"] = (0, 1),
        [Api26 + "id_1707.08567_s0_m100_6a1afebfc6a3.json"] = (0, 1),
        [Api26 + "id_2104.12255v1_s0_m100_6ae69987ffe1.json"] = (0, 1),
        [Api26 + "id_abc_s0_m100_b79c8dcf6bc3.json"] = (1, 0), // the API's Error entry
        [Api26 + "id_astro-ph_0601001_s0_m100_3150dca9dc76.json"] = (0, 1),
        [Api26 + "id_quant-ph_0201082v1_s0_m100_86989fe779ef.json"] = (0, 1),
        [Api26 + "q_testing_s0_m100_cfe7536492ca.json"] = (0, 100),
        [Api26 + "q_testing_s0_m10_bc5a6c384fe9.json"] = (0, 10),
        [Api26 + "q_testing_s0_m15_80c242b59d59.json"] = (0, 15),
        [Api26 + "q_testing_s10_m10_34e56e15aaac.json"] = (0, 10),
        [Api26 + "q_testing_s20_m10_348a237fecab.json"] = (0, 10),
        [Api26 + "q_testing_s30_m10_f2e39f0143dc.json"] = (0, 10),
        [Api26 + "q_testing_s40_m10_96dd32eb854c.json"] = (0, 10),
        [Api26 + "q_testing_s50_m10_7f488ab8598c.json"] = (0, 10),
        [Api26 + "q_testing_s5_m10_c0e94a259d4a.json"] = (0, 10),
        [Api26 + "q_testing_s5_m15_bbcf6b23085b.json"] = (0, 15),
        [Api26 + "q_testing_s9_m15_0b78d4b4d476.json"] = (0, 15),
        ["arxiv-oai/ErrorResponseBadArgument.xml"] = (1, 0),
        ["arxiv-oai/ErrorResponseBadResumptionToken.xml"] = (1, 0),
        ["arxiv-oai/ErrorResponseBadVerb.xml"] = (1, 0),
        ["arxiv-oai/ErrorResponseIdDoesNotExist.xml"] = (1, 0),
        ["arxiv-oai/ErrorResponseNoRecordsMatch.xml"] = (0, 0), // not an error: nothing changed
        ["arxiv-oai/GetRecordResponse.xml"] = (0, 1),
        ["arxiv-oai/ListRecordsResponse.xml"] = (0, 6),
        ["handmade/abs-no-header.abs"] = (1, 0),
        ["handmade/atom-truncated.xml"] = (1, 0),
        ["handmade/atom-wrong-namespace.xml"] = (1, 0),
        ["handmade/hf-error-object.json"] = (1, 0),
        ["handmade/jsonl-malformed-line.jsonl"] = (1, 3),
        ["handmade/oai-ListRecords-arXiv-format.xml"] = (0, 2),
        ["handmade/oai-ListRecords-missing-title.xml"] = (1, 5), // one record fails, the others are kept
        ["handmade/oai-ListRecords-record-without-namespace.xml"] = (1, 5),
        ["handmade/empty.jsonl"] = (1, 0),
        ["handmade/whitespace-only.xml"] = (1, 0),
        ["handmade/recorded-200-empty-body.json"] = (1, 0),
        ["handmade/recorded-503-html.json"] = (1, 0),
        ["handmade/mail-listing.txt"] = (1, 0),
        ["feeds/arxiv-rss-cs.LG.xml"] = (0, 3),
        ["feeds/arxiv-atom-cs.LG.xml"] = (0, 2),
        ["feeds/arxiv-rss-empty-weekend.xml"] = (0, 0), // no announcements on Saturdays: not an error
        ["feeds/oai_dc-ListRecords.xml"] = (1, 4), // 3 papers and a deleted record; one record has no title
        ["handmade/oai-ListRecords-truncated.xml"] = (1, 0),
        ["handmade/oai-ListRecords-wrong-namespace.xml"] = (1, 0),
        ["handmade/oai-html-error-page.html"] = (1, 0),
        ["hf-daily-papers/daily_papers_2026-06-12.json"] = (0, 30),
        ["jsonl/arxiv-astroph-listing-2026-06-30-head3.jsonl"] = (0, 3),
        ["jsonl/arxiv-cs-listing-2025-03-18-head5.jsonl"] = (0, 5),
        ["jsonl/daily-papers-page.jsonl"] = (0, 74),
    };

    public static TheoryData<string> Files() => new(Expected.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void Every_fixture_file_has_an_expectation() =>
        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), Fixture.AllInputs());

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Dry_run_parses_the_fixture(string file)
    {
        var (exit, count) = Expected[file];
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await ParseCommand.RunAsync(["parse", Fixture.PathOf(file), "--reference-date", "2025-11-07"], stdout, stderr);

        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exit == code, $"exit {code} for {file}; stderr: {stderr}");
        Assert.Equal(count, lines.Length);
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var deleted = json.RootElement.TryGetProperty("deleted", out var flag) && flag.GetBoolean();
            Assert.True(deleted || json.RootElement.GetProperty("title").GetString() is { Length: > 0 });
            Assert.True(json.RootElement.TryGetProperty("source", out _));
        }

        if (code != 0)
            Assert.Contains(Path.GetFileName(file), stderr.ToString(), StringComparison.Ordinal);
    }
}
