namespace Papers.Domain.Tests;

public class ArxivTaxonomyTests
{
    [Fact]
    public void Holds_the_155_active_categories() => Assert.Equal(155, ArxivTaxonomy.Categories.Count);

    [Theory]
    [InlineData("cs.CL", "cs.CL")]
    [InlineData("cs.cl", "cs.CL")]
    [InlineData("cond-mat.mes-hall", "cond-mat.mes-hall")]
    [InlineData("hep-th", "hep-th")]
    [InlineData("astro-ph.GA", "astro-ph.GA")]
    public void Finds_a_category_whatever_its_case(string text, string id)
    {
        Assert.True(ArxivTaxonomy.TryGet(text, out var category));
        Assert.Equal(id, category.Id);
    }

    [Theory]
    [InlineData("quantization")]
    [InlineData("data selection for LLMs")]
    [InlineData("cs.XX")]
    [InlineData("astro-ph")]
    public void Free_text_and_unknown_ids_are_not_categories(string text) => Assert.False(ArxivTaxonomy.IsCategory(text));
}
