using Papers.Domain;

namespace Papers.Domain.Tests;

public class ArxivIdTests
{
    [Theory]
    [InlineData("2401.01234", "2401.01234", null)]
    [InlineData("2104.12255v1", "2104.12255", 1)]
    [InlineData("arXiv:1111.2011v2", "1111.2011", 2)]
    [InlineData("oai:arXiv.org:0704.0471", "0704.0471", null)]
    [InlineData("http://arxiv.org/abs/1111.2011v2", "1111.2011", 2)]
    [InlineData("https://arxiv.org/pdf/2304.09157v3.pdf", "2304.09157", 3)]
    [InlineData("hep-th/9901001", "hep-th/9901001", null)]
    [InlineData("quant-ph/0201082v1", "quant-ph/0201082", 1)]
    [InlineData("http://arxiv.org/abs/astro-ph/0601001v1", "astro-ph/0601001", 1)]
    [InlineData("math.AG/0202001", "math/0202001", null)]
    public void Parses_old_and_new_style_ids(string text, string expected, int? version)
    {
        var id = ArxivId.Parse(text);
        Assert.Equal(expected, id.Value);
        Assert.Equal(version, id.Version);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0000.0000")]
    [InlineData("0808.05394")] // five digits only exist from 1501 on: arXiv itself finds nothing
    [InlineData("1501.0001")] // and four digits end with 1412
    [InlineData("0613.0001")] // no month 13
    [InlineData("2401.00000")]
    [InlineData("2510.01234v99999999999")] // no int holds that version: refused, not thrown at the caller
    [InlineData("hep-th/9901001v99999999999")]
    [InlineData("")]
    [InlineData(null)]
    public void Rejects_what_is_not_an_arxiv_id(string? text) => Assert.False(ArxivId.TryParse(text, out _));

    [Fact]
    public void Orders_by_month_then_number_with_old_style_years_first()
    {
        string[] ids = ["2401.00010", "hep-th/9901001", "0704.0001", "2401.00002", "cs/0011004"];
        var ordered = ids.Select(ArxivId.Parse).Order().Select(i => i.Value);
        Assert.Equal(["hep-th/9901001", "cs/0011004", "0704.0001", "2401.00002", "2401.00010"], ordered);
    }

    [Fact]
    public void Formats_numbers_with_the_width_of_their_month()
    {
        Assert.Equal("1412.0007", ArxivId.Format(1412, 7));
        Assert.Equal("1501.00007", ArxivId.Format(1501, 7));
        Assert.Equal("2401.01234v2", ArxivId.Parse("2401.01234v2").WithVersion);
    }
}
