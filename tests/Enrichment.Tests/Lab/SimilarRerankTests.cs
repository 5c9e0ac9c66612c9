using Papers.Enrichment.Lab.Learning;
using Papers.Training.Learning;

namespace Papers.Enrichment.Tests.Lab;

public sealed class SimilarRerankTests
{
    /// <summary>Two topics of 14 papers each: vectors near their topic's centre (with a shared part, so every pair passes the Api's noise floor), words partly shared.</summary>
    internal static (List<LabelledPaper> Papers, RelevanceVectors Vectors) TwoTopics()
    {
        var random = new Random(7);
        const int dimensions = 16;
        float[] Unit(Func<int, double> f)
        {
            var v = Enumerable.Range(0, dimensions).Select(i => (float)f(i)).ToArray();
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            return [.. v.Select(x => x / norm)];
        }
        var centres = new[] { Unit(_ => random.NextDouble() - 0.5), Unit(_ => random.NextDouble() - 0.5) };
        var papers = new List<LabelledPaper>();
        var vectors = new List<float[]>();
        for (var i = 0; i < 28; i++)
        {
            var topic = i % 2;
            papers.Add(new LabelledPaper($"p{i:D2}", $"paper {i} on {(topic == 0 ? "galaxies" : "graphs")}",
                $"We study {(topic == 0 ? "galaxy clusters and stars" : "graph colouring and paths")} with method {i} and shared results.", [topic == 0 ? "astro-ph.GA" : "math.CO"]));
            vectors.Add(Unit(d => 1.0 + 0.5 * centres[topic][d] + 0.8 * (random.NextDouble() - 0.5)));
        }
        return (papers, new RelevanceVectors("test-model", [.. vectors], [.. vectors], [.. vectors], [.. vectors]));
    }

    [Fact]
    public void Weight_zero_keeps_the_Apis_ranking_and_a_perfect_signal_alone_fills_the_top_ten_with_the_papers_topic()
    {
        var (papers, vectors) = TwoTopics();
        var rerank = new SimilarRerank(papers, vectors, depth: 27);

        var api = RelevanceEval.Similar(papers, vectors, SimilarRerank.Before).Share;
        var perfect = rerank.Score((q, c) => papers[q].Primary == papers[c].Primary ? 1 : 0);
        var backwards = rerank.Score((q, c) => papers[q].Primary == papers[c].Primary ? 0 : 1);

        Assert.Equal(api, SimilarRerank.Share(rerank.SamePrimary(perfect, 27, 0)), 9);
        Assert.True(api < 1, $"the synthetic Api ranking should mix topics ({api:P1})");
        Assert.Equal(1, SimilarRerank.Share(rerank.SamePrimary(perfect, 27, double.PositiveInfinity)), 9);
        // 13 same-topic papers and 14 others: the backwards signal alone leaves none of the paper's topic in its top 10.
        Assert.Equal(0, SimilarRerank.Share(rerank.SamePrimary(backwards, 27, double.PositiveInfinity)), 9);
        // Fused, the signal moves the share the way it points, and more with more weight.
        Assert.InRange(SimilarRerank.Share(rerank.SamePrimary(perfect, 27, 1)), api, SimilarRerank.Share(rerank.SamePrimary(perfect, 27, 4)));
        Assert.True(SimilarRerank.Share(rerank.SamePrimary(backwards, 27, 1)) < api);
    }

    [Fact]
    public void A_paired_change_is_the_mean_per_paper_difference_with_its_interval()
    {
        // Per paper, in tenths: +1, +1, −1, +3 → mean +0.1; sample sd of (0.1, 0.1, −0.1, 0.3) is 0.1633.
        var (change, half) = SimilarRerank.Paired([5, 6, 4, 9], [4, 5, 5, 6]);

        Assert.Equal(0.1, change, 9);
        Assert.Equal(1.96 * 0.16330 / 2, half, 4);
        Assert.Equal((0, 0), SimilarRerank.Paired([3, 3], [3, 3]));
    }
}
