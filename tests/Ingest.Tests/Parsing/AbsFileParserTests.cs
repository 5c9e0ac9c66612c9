using Papers.Contracts;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Parsing;

public class AbsFileParserTests
{
    private static Task<SourcePaper> Parse(string file) => AbsFileParser.ParseFileAsync(Fixture.PathOf($"abs/{file}"));

    [Fact]
    public async Task Reads_an_old_style_abs_with_revisions_doi_and_journal()
    {
        var paper = await Parse("9901001.abs");

        Assert.Equal("hep-th/9901001", paper.ArxivId);
        Assert.Equal("String Junctions and Their Duals in Heterotic String Theory", paper.Title);
        Assert.Equal([new PaperAuthor("Yosuke Imamura")], paper.Authors);
        Assert.Equal("hep-th", paper.PrimaryCategory);
        Assert.Equal(
            [
                new PaperVersion(1, new DateTimeOffset(1999, 1, 1, 1, 1, 10, TimeSpan.Zero), "15kb"),
                new PaperVersion(2, new DateTimeOffset(1999, 1, 5, 21, 36, 42, TimeSpan.Zero), "15kb"),
                new PaperVersion(3, new DateTimeOffset(1999, 5, 10, 4, 45, 54, TimeSpan.Zero), "15kb"),
            ],
            paper.Versions);
        Assert.Equal(new DateOnly(1999, 1, 1), paper.PublishedOn);
        Assert.Equal("Prog.Theor.Phys.101:1155-1164,1999", paper.JournalRef);
        Assert.Equal("10.1143/PTP.101.1155", paper.Doi);
        Assert.Equal("13 pages + 4 eps figures, PTPTeX, typographical errors corrected", paper.Comments);
        Assert.Equal("We explicitly give the correspondence between spectra of heterotic string theory compactified on $T^2$ and string junctions in type IIB theory compactified on $S^2$.", paper.Abstract);
    }

    [Fact]
    public async Task Reads_a_new_style_abs_with_licence_and_cross_lists()
    {
        var paper = await Parse("2304.09157.abs");

        Assert.Equal("2304.09157", paper.ArxivId);
        Assert.Equal(["Wentao Zhan", "Abhirup Datta"], paper.Authors.Select(a => a.Name));
        Assert.Equal(["stat.ML", "cs.LG", "stat.ME"], paper.Categories);
        Assert.Equal("stat.ML", paper.PrimaryCategory);
        Assert.Equal("http://arxiv.org/licenses/nonexclusive-distrib/1.0/", paper.License);
        Assert.Equal(["8808kb", "7828kb"], paper.Versions.Select(v => v.Size));
        Assert.EndsWith("We demonstrate the methodology through simulated and real datasets.", paper.Abstract);
    }

    [Fact]
    public async Task Joins_continuation_lines_and_keeps_latex_accents()
    {
        var balazs = await Parse("0704.0001.abs");
        Assert.Equal("Calculation of prompt diphoton production cross sections at Tevatron and LHC energies", balazs.Title);
        Assert.Equal(["C. Bal\\'azs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"], balazs.Authors.Select(a => a.Name));

        var fractal = await Parse("0202001.abs");
        Assert.Equal("math/0202001", fractal.ArxivId);
        Assert.Equal(["Laurent Bartholdi", "Rostislav I. Grigorchuk", "Volodymyr V. Nekrashevych"], fractal.Authors.Select(a => a.Name));
        Assert.Equal(4, fractal.LatestVersion);
        Assert.Equal("Fractals in Graz 2001, 25--118, Trends Math., Birkhauser, Basel, 2003", fractal.JournalRef);
    }

    [Fact]
    public async Task An_abstract_may_contain_latex_line_breaks()
    {
        var paper = await Parse("2004.02153.abs");

        Assert.Contains(@"\lambda(x) u - \mu(x) u^\kappa, \\ v_t = \Delta v - v + u", paper.Abstract);
        Assert.EndsWith("collapse into a persistent Dirac distribution.", paper.Abstract);
    }

    [Fact]
    public async Task Reads_latin1_files_and_long_collaboration_lists()
    {
        var latin1 = await Parse("1607.08199.abs");
        Assert.Equal(5, latin1.LatestVersion);
        Assert.Equal("http://creativecommons.org/licenses/by-sa/4.0/", latin1.License);
        Assert.Contains("\u00E9", latin1.JournalRef!, StringComparison.Ordinal); // stored as Latin-1

        var lhcb = await Parse("2103.11058.abs");
        Assert.Equal("LHCb collaboration", lhcb.Authors[0].Name);
        Assert.Equal("R. Aaij", lhcb.Authors[1].Name);
        Assert.True(lhcb.Authors.Count > 800);
        Assert.Contains(lhcb.Authors, a => a.Name == "M. Bj{\\o}rn");
    }

    [Fact]
    public async Task An_empty_file_is_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<ConnectorFormatException>(() => Parse("0509037.abs"));
        Assert.EndsWith("0509037.abs: line 1: empty .abs file", ex.Message);
    }
}
