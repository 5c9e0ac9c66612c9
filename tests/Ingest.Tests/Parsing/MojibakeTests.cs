using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Parsing;

/// <summary>Issue 17, item 5: UTF-8 read as Latin-1 (or Windows-1252) upstream is repaired where that
/// is unambiguous, on the cases the recorded arXiv API bodies hold.</summary>
public class MojibakeTests
{
    [Theory]
    [InlineData("Katharina GÃ¶tz", "Katharina Götz")]
    [InlineData("$Ï\u0089$Test: WebView-Oriented Testing", "$ω$Test: WebView-Oriented Testing")]
    [InlineData("Florian KroiÃ\u009f", "Florian Kroiß")]
    [InlineData("ClÃ©ment L. Canonne", "Clément L. Canonne")]
    [InlineData("when $Î±= Î²$ (prior-free) or $Ï\u0080= 1/2$", "when $α= β$ (prior-free) or $π= 1/2$")]
    [InlineData("donâ€™t â€œquoteâ€\u009d", "don’t “quote”")] // Windows-1252 flavour
    [InlineData("25 Â°C", "25 °C")]
    public void Repairs_utf8_read_as_latin1(string garbled, string repaired) =>
        Assert.Equal(repaired, TextNormalizer.Normalize(garbled));

    [Theory]
    [InlineData("São Paulo")]
    [InlineData("Ångström, naïve, Müller, 10 µm, ±5 °C, 3×3")]
    [InlineData("Ã followed by a space, Ï in \\Ïmath")]
    [InlineData("日本語 and Ελληνικά")]
    public void Leaves_correct_text_alone(string text) =>
        Assert.Equal(text, TextNormalizer.Normalize(text));

    [Fact]
    public void C1_controls_are_kept_so_the_original_can_be_recovered_and_C0_controls_dropped()
    {
        // A lone C1 byte that is no part of a UTF-8 sequence stays as it came.
        Assert.Equal("x \u0089 y\u0080z", TextNormalizer.Normalize("x \u0089 y\u0080z"));
        Assert.Equal("ab", TextNormalizer.Normalize("a\u0001b"));
    }

    [Fact]
    public void The_recorded_arXiv_API_page_comes_out_without_mojibake()
    {
        var page = ArxivAtomParser.Parse(Fixture.AtomBody("arxiv-api/arxiv.py_2026_recorded/q_testing_s0_m100_cfe7536492ca.json"), "recorded");

        var names = page.Papers.SelectMany(p => p.Authors).Select(a => a.Name).ToList();
        Assert.Contains("Katharina Götz", names);
        Assert.Contains("Karl Bäckström", names);
        Assert.Contains("Sólrún Einarsdóttir", names);
        Assert.Contains(page.Papers, p => p.Title.StartsWith("$ω$Test: WebView-Oriented", StringComparison.Ordinal));
        var text = string.Join('\n', page.Papers.SelectMany(p => new[] { p.Title, p.Abstract, p.Comments ?? "" }).Concat(names));
        Assert.DoesNotContain("Ã", text);
        Assert.DoesNotContain("Ï", text);
        Assert.DoesNotContain("Î", text);
    }
}
