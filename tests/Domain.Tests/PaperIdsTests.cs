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
    public void Title_ids_given_before_identity_keys_are_computed_as_they_were()
    {
        // Pinned: ids in URLs, votes and published events must never change.
        Assert.Equal("p-6bcccfe7eb24", PaperIds.FromSource(null, "Scaling Laws: for LLMs!"));
        Assert.Equal("p-e3b0c44298fc", PaperIds.FromSource(null, "!!!"));
        Assert.Equal("2402.16827", PaperIds.FromSource("2402.16827", "Any title"));
    }

    [Fact]
    public void The_identity_key_takes_the_strongest_identifier()
    {
        Assert.Equal("doi:10.1000/abc", PaperIds.IdentityKey(["10.1000/ABC", "10.1000/x"], ["s2:123"], "T", "Ada Lovelace", 2020));
        Assert.Equal("id:s2:123", PaperIds.IdentityKey([], ["s2:123", "oai:x:1"], "T", "Ada Lovelace", 2020));
        Assert.Equal("title:scalinglawsforllms|author:lovelace|year:2020", PaperIds.IdentityKey(null, null, "Scaling Laws: for LLMs!", "Ada Lovelace", 2020));
    }

    [Fact]
    public void Distinct_papers_sharing_a_title_get_distinct_ids()
    {
        string Id(string title, string? author, int? year) => PaperIds.FromIdentity(PaperIds.IdentityKey(null, null, title, author, year));

        Assert.NotEqual(Id("Attention Is All You Need", "Ada Lovelace", 2025), Id("Attention Is All You Need", "Grace Hopper", 2024));
        Assert.NotEqual(Id("Attention Is All You Need", "Ada Lovelace", 2025), Id("Attention Is All You Need", "Ada Lovelace", 2024));
        Assert.NotEqual(Id("!!!", "Ada Lovelace", 2025), Id("!!!", "Grace Hopper", 2025));
        Assert.NotEqual(Id("!!!", null, null), Id("???", null, null));
        // With neither author nor year, the abstract tells them apart.
        Assert.NotEqual(PaperIds.IdentityKey(null, null, "!!!", null, null, "One abstract."), PaperIds.IdentityKey(null, null, "!!!", null, null, "Another."));
        Assert.Equal(PaperIds.IdentityKey(null, null, "!!!", "", null, "One  abstract"), PaperIds.IdentityKey(null, null, "!!!", null, null, "One abstract."));
        Assert.Equal(Id("Attention is all you need.", "A. Lovelace", 2025), Id("Attention Is All You Need", "Ada Lovelace", 2025));
        Assert.True(PaperIds.IsPaperId(Id("!!!", null, null)));
        Assert.NotEqual(PaperIds.FromSource(null, "Attention Is All You Need"), Id("Attention Is All You Need", null, null));
    }

    [Fact]
    public void Content_hash_changes_with_any_author() =>
        Assert.NotEqual(PaperIds.ContentHash("T", "A", [new("Ada")]), PaperIds.ContentHash("T", "A", [new("Ada"), new("Bob")]));
}
