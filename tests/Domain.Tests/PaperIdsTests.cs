namespace Papers.Domain.Tests;

public class PaperIdsTests
{
    [Theory]
    [InlineData("2402.16827", "2402.16827")]
    [InlineData("2402.16827v2", "2402.16827")]
    [InlineData("arXiv:2402.16827v2", "2402.16827")]
    [InlineData("https://arxiv.org/abs/2402.16827", "2402.16827")]
    [InlineData("Math.AG/0202001", "math/0202001")]
    [InlineData(" p-0123456789ab ", "p-0123456789ab")]
    public void Normalises_every_form_the_platform_accepts(string text, string id) => Assert.Equal(id, PaperIds.Normalize(text));

    [Theory]
    [InlineData("")]
    [InlineData("quantization")]
    [InlineData("p-0123")]
    [InlineData("p-0123456789AB")]
    [InlineData("2402.1682")]
    public void Refuses_what_is_no_paper_id(string text) => Assert.False(PaperIds.IsPaperId(text));

    [Fact]
    public void A_title_written_differently_keeps_its_id() =>
        Assert.Equal(PaperIds.FromSource(null, "Scaling Laws: for LLMs!"), PaperIds.FromSource(null, "scaling  laws for llms"));

    [Fact]
    public void Content_hash_changes_with_any_author() =>
        Assert.NotEqual(PaperIds.ContentHash("T", "A", [new("Ada")]), PaperIds.ContentHash("T", "A", [new("Ada"), new("Bob")]));
}
