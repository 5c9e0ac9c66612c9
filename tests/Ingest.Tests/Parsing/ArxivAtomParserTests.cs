using Papers.Contracts;
using Papers.Domain;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Parsing;

public class ArxivAtomParserTests
{
    private const string Old = "arxiv-api/arxiv.py_2016/";
    private const string New = "arxiv-api/arxiv.py_2026_recorded/";

    [Fact]
    public void Reads_the_2016_format()
    {
        var page = ArxivAtomParser.Parse(Fixture.AtomBody(Old + "id_list=1111.2011v2.xml"), "2016");

        Assert.Equal((1, 0, 10), (page.TotalResults, page.StartIndex, page.ItemsPerPage));
        var paper = Assert.Single(page.Papers);
        Assert.Equal("1111.2011", paper.ArxivId);
        Assert.Equal("Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit", paper.Title);
        Assert.Equal(["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"], paper.Authors.Select(a => a.Name));
        Assert.Equal("cond-mat.str-el", paper.PrimaryCategory);
        Assert.Equal(["cond-mat.str-el", "cond-mat.stat-mech"], paper.Categories);
        Assert.Equal(
            [new PaperVersion(1, new DateTimeOffset(2011, 11, 8, 18, 48, 36, TimeSpan.Zero)), new PaperVersion(2, new DateTimeOffset(2012, 4, 2, 12, 38, 54, TimeSpan.Zero))],
            paper.Versions);
        Assert.Equal(new DateOnly(2011, 11, 8), paper.PublishedOn);
        Assert.Equal("10.1103/PhysRevB.85.115117", paper.Doi);
        Assert.Equal("8 pages, 3 figures. Published version", paper.Comments);
        Assert.Equal("Phys. Rev. B 85, 115117 (2012)", paper.JournalRef);
        Assert.Equal("http://arxiv.org/abs/1111.2011v2", paper.AbsUrl);
        Assert.Equal("http://arxiv.org/pdf/1111.2011v2", paper.PdfUrl);
        Assert.StartsWith("Theoretical description of anisotropic systems, such as layered superconductors", paper.Abstract);
        Assert.Equal("arxiv-api", paper.Source);
    }

    [Theory]
    [InlineData("search_query=au_del_maestro.xml", 10, 31)]
    [InlineData("search_query=au_del_maestro+AND+ti_checkerboard.xml", 1, 1)]
    [InlineData("search_query=au_del_maestro+AND+ti_quantum+criticality.xml", 2, 2)]
    [InlineData("search_query=au_del_maestro+ANDNOT+_28ti_checkerboard+OR+ti_Pyrochlore_29.xml", 10, null)]
    public void Reads_every_2016_search(string file, int entries, int? total)
    {
        var page = ArxivAtomParser.Parse(Fixture.AtomBody(Old + file), file);

        Assert.Equal(entries, page.Papers.Count);
        if (total is not null)
            Assert.Equal(total, page.TotalResults);
        Assert.All(page.Papers, p =>
        {
            Assert.True(ArxivId.TryParse(p.ArxivId, out _));
            Assert.Contains(p.Authors, a => a.Name.Contains("Del Maestro", StringComparison.Ordinal));
            Assert.Equal(p.PrimaryCategory, p.Categories[0]);
            Assert.NotEmpty(p.Abstract);
            Assert.DoesNotContain('\n', p.Title + p.Abstract);
        });
    }

    [Fact]
    public void Reads_the_2026_format_with_old_style_ids()
    {
        var page = ArxivAtomParser.Parse(Fixture.AtomBody(New + "id_astro-ph_0601001_s0_m100_3150dca9dc76.json"), "2026");

        var paper = Assert.Single(page.Papers);
        Assert.Equal("astro-ph/0601001", paper.ArxivId);
        Assert.Equal("Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic Bulge and Carina", paper.Title);
        Assert.Equal(["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"], paper.Authors.Select(a => a.Name));
        Assert.Equal("astro-ph", paper.PrimaryCategory);
        Assert.Equal("ActaAstron.56:1-50,2006", paper.JournalRef);
        Assert.StartsWith("62 pages including 16 figures", paper.Comments);
        Assert.Equal([1], paper.Versions.Select(v => v.Number));
        Assert.Equal(new DateOnly(2006, 1, 2), paper.PublishedOn);
        Assert.Equal("https://arxiv.org/pdf/astro-ph/0601001v1", paper.PdfUrl);
        Assert.Contains("V_max<17.5", paper.Abstract);
        Assert.Contains("(1/310)(1^{+1.39}_{-0.59})", paper.Abstract);
    }

    [Theory]
    [InlineData("id_1605.08386_s0_m100_199195aa31ad.json", "1605.08386", "math.CO", new[] { "math.CO", "math.ST" }, 2)]
    [InlineData("id_1707.08567_s0_m100_6a1afebfc6a3.json", "1707.08567", "cs.IT", new[] { "cs.IT" }, null)]
    [InlineData("id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json", "1707.08567", "cs.IT", new[] { "cs.IT" }, null)]
    [InlineData("id_2104.12255v1_s0_m100_6ae69987ffe1.json", "2104.12255", "cs.CR", new[] { "cs.CR" }, 1)]
    [InlineData("id_quant-ph_0201082v1_s0_m100_86989fe779ef.json", "quant-ph/0201082", "quant-ph", new[] { "quant-ph", "cs.PL" }, 1)]
    public void Reads_every_2026_id_lookup(string file, string id, string primary, string[] categories, int? authors)
    {
        var page = ArxivAtomParser.Parse(Fixture.AtomBody(New + file), file);

        var paper = Assert.Single(page.Papers);
        Assert.Equal(id, paper.ArxivId);
        Assert.Equal(primary, paper.PrimaryCategory);
        Assert.Equal(categories, paper.Categories);
        if (authors is not null)
            Assert.Equal(authors, paper.Authors.Count);
        Assert.Equal(1, page.TotalResults);
    }

    [Fact]
    public void A_title_of_a_single_character_is_still_a_title()
    {
        var paper = ArxivAtomParser.Parse(Fixture.AtomBody(New + "id_2104.12255v1_s0_m100_6ae69987ffe1.json"), "2104.12255").Papers[0];
        Assert.Equal("0", paper.Title);
        Assert.Equal([new PaperAuthor("Quan Thoi Minh Nguyen")], paper.Authors);
    }

    [Theory]
    [InlineData("id_0000.0000_s0_m100_8b51d9633a68.json")]
    [InlineData("id_0808.05394_s0_m100_7b0c7d0a7cdd.json")]
    public void No_match_is_an_empty_page(string file)
    {
        var page = ArxivAtomParser.Parse(Fixture.AtomBody(New + file), file);
        Assert.Empty(page.Papers);
        Assert.Equal(0, page.TotalResults);
    }

    [Fact]
    public void The_Error_entry_becomes_a_clear_error()
    {
        var ex = Assert.Throws<ArxivApiException>(() =>
            ArxivAtomParser.Parse(Fixture.AtomBody(New + "id_abc_s0_m100_b79c8dcf6bc3.json"), "id_list=abc"));

        Assert.Equal("incorrect id format for abc", ex.ErrorText);
        Assert.Equal("https://arxiv.org/api/errors#incorrect_id_format_for_abc", ex.ErrorId);
        Assert.StartsWith("id_list=abc: line 9: arXiv API error: incorrect id format for abc", ex.Message);
    }

    [Theory]
    [InlineData("q_testing_s0_m10_bc5a6c384fe9.json", 0, 10)]
    [InlineData("q_testing_s5_m15_bbcf6b23085b.json", 5, 15)]
    [InlineData("q_testing_s0_m100_cfe7536492ca.json", 0, 100)]
    public void Reads_the_paging_fields(string file, int start, int count)
    {
        var page = ArxivAtomParser.Parse(Fixture.AtomBody(New + file), file);

        Assert.Equal(214881, page.TotalResults);
        Assert.Equal(start, page.StartIndex);
        Assert.Equal(count, page.ItemsPerPage);
        Assert.Equal(count, page.Papers.Count);
    }

    [Fact]
    public void Recorded_pages_overlap_exactly_where_their_start_indexes_say()
    {
        var all = ArxivAtomParser.Parse(Fixture.AtomBody(New + "q_testing_s0_m100_cfe7536492ca.json"), "s0").Papers;
        var s9 = ArxivAtomParser.Parse(Fixture.AtomBody(New + "q_testing_s9_m15_0b78d4b4d476.json"), "s9").Papers;

        Assert.Equal(all.Skip(9).Take(15).Select(p => p.ArxivId), s9.Select(p => p.ArxivId));
        Assert.Contains(all, p => p.ArxivId == "cs/0503050");
    }
}
