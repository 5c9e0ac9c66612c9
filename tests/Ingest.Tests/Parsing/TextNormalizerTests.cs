using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Parsing;

public class TextNormalizerTests
{
    [Theory]
    [InlineData("  Core excitation in the elastic scattering and breakup of $^{11}$Be on\n  protons", "Core excitation in the elastic scattering and breakup of $^{11}$Be on protons")]
    [InlineData("a\r\n\tb\u00A0 c", "a b c")]
    [InlineData("Poincar\\'{e} $(y,p_y)$", "Poincar\\'{e} $(y,p_y)$")]
    [InlineData("   ", "")]
    [InlineData(null, "")]
    public void Collapses_whitespace_and_keeps_latex(string? input, string expected) =>
        Assert.Equal(expected, TextNormalizer.Normalize(input));

    [Fact]
    public void Empty_optional_text_becomes_null()
    {
        Assert.Null(TextNormalizer.NormalizeOrNull(" \n "));
        Assert.Equal("x", TextNormalizer.NormalizeOrNull(" x "));
    }
}
