using Papers.Contracts;
using Papers.Domain;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Parsing;

public class OaiPmhParserTests
{
    [Fact]
    public void Reads_a_recorded_arXivRaw_ListRecords_page()
    {
        var page = OaiPmhParser.Parse(Fixture.Read("arxiv-oai/ListRecordsResponse.xml"), "ListRecordsResponse.xml");

        Assert.Equal(["0704.0471", "0704.0716", "0704.0874", "0704.1109", "0704.1114", "0704.1586"], page.Papers.Select(p => p.ArxivId));
        Assert.Equal("726959|1001", page.ResumptionToken);
        Assert.False(page.IsLastPage);
        Assert.Equal(58011, page.CompleteListSize);
        Assert.Equal(0, page.Cursor);
        Assert.Equal(new DateTimeOffset(2015, 1, 6, 20, 49, 59, TimeSpan.Zero), page.ResponseDate);
        Assert.Equal(new DateOnly(2014, 12, 22), page.LatestDatestamp);
        Assert.Empty(page.DeletedIds);

        var first = page.Papers[0];
        Assert.Equal("Density dependence of the symmetry energy and the nuclear equation of state: A Dynamical and Statistical model perspective", first.Title);
        Assert.Equal([new PaperAuthor("D.V. Shetty"), new PaperAuthor("S.J. Yennello"), new PaperAuthor("G.A. Souliotis")], first.Authors);
        Assert.Equal("nucl-ex", first.PrimaryCategory);
        Assert.Equal(["nucl-ex", "nucl-th"], first.Categories);
        Assert.Equal([new PaperVersion(1, new DateTimeOffset(2007, 4, 3, 22, 4, 11, TimeSpan.Zero), "294kb")], first.Versions);
        Assert.Equal(new DateOnly(2007, 4, 3), first.PublishedOn);
        Assert.Equal(new DateOnly(2014, 11, 18), first.ListedOn);
        Assert.Equal("Phys.Rev.C76:024606,2007; Erratum-ibid.C76:039902,2007", first.JournalRef);
        Assert.Equal(["10.1103/PhysRevC.76.024606", "10.1103/PhysRevC.76.039902"], first.Dois);
        Assert.Equal("10.1103/PhysRevC.76.024606", first.Doi);
        Assert.Equal("16 pages, 14 figures", first.Comments);
        Assert.StartsWith("The density dependence of the symmetry energy in the equation of state of isospin", first.Abstract);
        Assert.Contains("extremely \" stiff \" and \" soft \" form", first.Abstract);
        Assert.Equal("arxiv-oai", first.Source);
        Assert.Equal("https://arxiv.org/abs/0704.0471", first.AbsUrl);
    }

    [Fact]
    public void Keeps_every_version_with_date_and_size_and_the_licence()
    {
        var page = OaiPmhParser.Parse(Fixture.Read("arxiv-oai/ListRecordsResponse.xml"), "ListRecordsResponse.xml");
        var paper = page.Papers.Single(p => p.ArxivId == "0704.0716");

        Assert.Equal([1, 2, 3, 4], paper.Versions.Select(v => v.Number));
        Assert.Equal(4, paper.LatestVersion);
        Assert.Equal(new DateTimeOffset(2008, 11, 14, 9, 7, 25, TimeSpan.Zero), paper.Versions[3].SubmittedAt);
        Assert.Equal("49kb", paper.Versions[3].Size);
        Assert.Equal("http://arxiv.org/licenses/nonexclusive-distrib/1.0/", paper.License);
        Assert.Equal(["math-ph", "math.MP"], paper.Categories);
        Assert.Equal("54 pages, 2 figures; v2 updated and slightly expanded; v3 changes in some proofs; v4 slightly expanded", paper.Comments);
    }

    [Fact]
    public void Keeps_latex_in_titles_and_splits_and_joined_authors()
    {
        var page = OaiPmhParser.Parse(Fixture.Read("arxiv-oai/ListRecordsResponse.xml"), "ListRecordsResponse.xml");

        Assert.Equal("Core excitation in the elastic scattering and breakup of $^{11}$Be on protons",
            page.Papers.Single(p => p.ArxivId == "0704.1586").Title);
        Assert.Equal(["Valeria M. Rosa", "Patricio S. letelier"],
            page.Papers.Single(p => p.ArxivId == "0704.1109").Authors.Select(a => a.Name));
    }

    [Fact]
    public void Reads_a_recorded_GetRecord_response()
    {
        var page = OaiPmhParser.Parse(Fixture.Read("arxiv-oai/GetRecordResponse.xml"), "GetRecordResponse.xml");

        var paper = Assert.Single(page.Papers);
        Assert.True(page.IsLastPage);
        Assert.Equal("1302.2146", paper.ArxivId);
        Assert.Equal("The Same-Sign Dilepton Signature of RPV/MFV SUSY", paper.Title);
        Assert.Equal(["Joshua Berger", "Maxim Perelstein", "Michael Saelim", "Philip Tanedo"], paper.Authors.Select(a => a.Name));
        Assert.Equal("hep-ph", paper.PrimaryCategory);
        Assert.Equal(["hep-ph", "hep-ex"], paper.Categories);
        Assert.Equal([1, 2], paper.Versions.Select(v => v.Number));
        Assert.Equal(new DateOnly(2013, 2, 8), paper.PublishedOn);
        Assert.Equal(new DateOnly(2013, 4, 3), paper.ListedOn);
        Assert.StartsWith("The lack of observation of superpartners at the Large Hadron Collider so far has led", paper.Abstract);
        Assert.EndsWith("TeV LHC with a 100 fb^-1 data set.", paper.Abstract);
    }

    [Fact]
    public void Reads_the_arXiv_format_with_keynames_and_deleted_records()
    {
        var page = OaiPmhParser.Parse(Fixture.Read("handmade/oai-ListRecords-arXiv-format.xml"), "arXiv-format");

        Assert.True(page.IsLastPage);
        Assert.Equal(2, page.CompleteListSize);
        var paper = page.Papers[0];
        Assert.Equal("0801.3931", paper.ArxivId);
        Assert.Equal([new PaperAuthor("T. Manos", "Manos", "T."), new PaperAuthor("E. Athanassoula", "Athanassoula", "E.")], paper.Authors);
        Assert.Equal(new DateOnly(2008, 1, 25), paper.PublishedOn);
        Assert.Equal([1], paper.Versions.Select(v => v.Number));
        Assert.Equal("10.1007/978-3-540-75826-6_11", paper.Doi);
        Assert.Contains("Poincar\\'{e} $(y,p_y)$ surface", paper.Abstract);
        Assert.Equal("8 pages, 3 figures, to appear in the proceedings of the international conference \"Chaos in Astronomy\", Athens, Greece (talk contribution)", paper.Comments);

        var deleted = page.Papers[1];
        Assert.True(deleted.Deleted);
        Assert.Equal("0802.0001", deleted.ArxivId);
        Assert.Equal(new DateOnly(2013, 3, 27), deleted.ListedOn);
        Assert.Equal(["0802.0001"], page.DeletedIds);
    }

    [Fact]
    public void NoRecordsMatch_is_an_empty_last_page_not_an_error()
    {
        var page = OaiPmhParser.Parse(Fixture.Read("arxiv-oai/ErrorResponseNoRecordsMatch.xml"), "noRecordsMatch");

        Assert.True(page.NoRecordsMatch);
        Assert.True(page.IsLastPage);
        Assert.Empty(page.Papers);
    }

    [Theory]
    [InlineData("ErrorResponseBadArgument.xml", "badArgument", "Verb 'ListRecords', illegal argument 'identifier'.")]
    [InlineData("ErrorResponseBadResumptionToken.xml", "badResumptionToken", "The resumptionToken supplied is illegal for this repository")]
    [InlineData("ErrorResponseBadVerb.xml", "badVerb", "Bad verb. Verb 'wah' not implemented.")]
    [InlineData("ErrorResponseIdDoesNotExist.xml", "idDoesNotExist", "Identifier 'oai:arXiv.org:0813.2274' has correct form but does not correspond to an item in this repository")]
    public void Maps_recorded_OAI_errors_to_typed_exceptions(string file, string code, string text)
    {
        var ex = Assert.Throws<OaiPmhException>(() => OaiPmhParser.Parse(Fixture.Read($"arxiv-oai/{file}"), file));

        Assert.Equal(code, ex.Code);
        Assert.Equal(text, ex.ErrorText);
        Assert.Equal(file, ex.SourceName);
        Assert.NotNull(ex.Line);
        Assert.StartsWith($"{file}: line {ex.Line}", ex.Message);
        Assert.Contains(code, ex.Message);
    }
}
