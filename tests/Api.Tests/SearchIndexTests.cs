using Papers.Api.Search;

namespace Papers.Api.Tests;

public sealed class SearchIndexTests
{
    private static float[] Unit(params float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private static IndexedPaper Paper(string id, string title, float[]? vector = null, string text = "") =>
        new(id, title, text, ["A. Author"], [], vector, vector is null ? null : "m1");

    [Fact]
    public void Keyword_search_ranks_title_matches_first_and_ignores_unrelated_papers()
    {
        var index = new SearchIndex();
        index.Upsert(Paper("a", "Quantization of transformers", text: "We study low-bit weights."));
        index.Upsert(Paper("b", "Protein folding", text: "Quantization is mentioned once here."));
        index.Upsert(Paper("c", "Graph neural networks", text: "Message passing."));

        var hits = index.Search("quantization", null, null, 10);

        Assert.Equal(["a", "b"], hits.Select(h => h.PaperId));
        Assert.All(hits, h => Assert.NotNull(h.KeywordRank));
    }

    [Fact]
    public void Semantic_search_finds_papers_without_shared_words_and_drops_far_ones()
    {
        var index = new SearchIndex();
        index.Upsert(Paper("near", "Low-bit inference", Unit(1, 0.1f, 0)));
        index.Upsert(Paper("far", "Star formation", Unit(0, 0, 1)));

        var hits = index.Search("compact numbers", Unit(1, 0, 0), "m1", 10);

        Assert.Equal("near", Assert.Single(hits).PaperId);
        Assert.Null(hits[0].KeywordRank);
    }

    [Fact]
    public void Vectors_of_another_model_are_never_compared()
    {
        var index = new SearchIndex();
        index.Upsert(Paper("a", "Anything", Unit(1, 0, 0)));

        Assert.Empty(index.Search("zzz", Unit(1, 0, 0), "other-model", 10));
    }

    [Fact]
    public void Upsert_replaces_the_old_text_of_a_paper()
    {
        var index = new SearchIndex();
        index.Upsert(Paper("a", "Old title about galaxies"));
        index.Upsert(Paper("a", "New title about proteins"));

        Assert.Empty(index.Search("galaxies", null, null, 10));
        Assert.Single(index.Search("proteins", null, null, 10));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Similar_returns_nearest_papers_best_first_without_the_paper_itself()
    {
        var index = new SearchIndex();
        index.Upsert(Paper("q", "Seed", Unit(1, 0, 0)));
        index.Upsert(Paper("close", "Close", Unit(1, 0.2f, 0)));
        index.Upsert(Paper("closer", "Closer", Unit(1, 0.05f, 0)));
        index.Upsert(Paper("far", "Far", Unit(0, 1, 0)));
        index.Upsert(Paper("unenriched", "No vector"));

        var similar = index.Similar("q", 2);

        Assert.Equal(["closer", "close"], similar.Select(s => s.PaperId));
        Assert.Empty(index.Similar("unenriched", 5));
    }
}
