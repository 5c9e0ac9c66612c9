using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Parsing;

public class ArxivMetadataTests
{
    [Theory]
    [InlineData("D.V. Shetty, S.J. Yennello, and G.A. Souliotis", new[] { "D.V. Shetty", "S.J. Yennello", "G.A. Souliotis" })]
    [InlineData("Joshua Berger, Maxim Perelstein, Michael Saelim and Philip Tanedo", new[] { "Joshua Berger", "Maxim Perelstein", "Michael Saelim", "Philip Tanedo" })]
    [InlineData("A. Smith (MIT), B. Jones ((1) Caltech, (2) JPL)", new[] { "A. Smith", "B. Jones" })]
    [InlineData("John Doe, Jr., Jane Roe", new[] { "John Doe, Jr.", "Jane Roe" })]
    [InlineData("LHCb collaboration: R. Aaij, C. Abell\\'an Beteta", new[] { "LHCb collaboration", "R. Aaij", "C. Abell\\'an Beteta" })]
    [InlineData("Alice & Bob", new[] { "Alice", "Bob" })]
    [InlineData("Sandra Anderson, Brandon Andrews et al.", new[] { "Sandra Anderson", "Brandon Andrews" })]
    [InlineData("", new string[0])]
    public void Splits_author_strings_in_order(string authors, string[] expected) =>
        Assert.Equal(expected, ArxivMetadata.SplitAuthors(authors).Select(a => a.Name));

    [Theory]
    [InlineData("Tue, 3 Apr 2007 22:04:11 GMT")]
    [InlineData("Tue, 03 Apr 2007 22:04:11 GMT")]
    [InlineData("Sat, 3 Apr 2007 22:04:11 GMT")] // a wrong weekday does not lose the date
    [InlineData("3 Apr 2007 22:04:11 GMT")]
    public void Reads_version_dates(string text) =>
        Assert.Equal(new DateTimeOffset(2007, 4, 3, 22, 4, 11, TimeSpan.Zero), ArxivMetadata.ParseSubmissionDate(text));

    [Fact]
    public void Puts_the_primary_category_first() =>
        Assert.Equal(["cs.LG", "stat.ML", "cs.AI"], ArxivMetadata.PrimaryFirst("cs.LG", ["stat.ML", "cs.LG", "cs.AI", "stat.ML"]));
}
