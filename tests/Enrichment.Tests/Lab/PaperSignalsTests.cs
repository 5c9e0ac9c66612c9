using Papers.Api.Search;
using Papers.Enrichment.Lab.Learning;
using Papers.Training.Learning;

namespace Papers.Enrichment.Tests.Lab;

public sealed class PaperSignalsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("paper-authors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Authors_are_read_from_listings_snapshot_csv_and_abs_files_and_keyed_as_the_Api_matches_them()
    {
        File.WriteAllLines(Path.Combine(_folder, "listing.jsonl"),
        [
            """{"id": "2503.00001", "authors": ["Ada  Lovelace", "Alan Turing"], "title": "t", "summary": "s", "categories": ["cs.CL"]}""",
            """{"id": "2606.30643v1", "title": "no authors in this listing", "summary": "s", "primary_category": "astro-ph.HE"}""",
        ]);
        File.WriteAllText(Path.Combine(_folder, "snapshot.csv"),
            "id,authors,title,abstract,categories\n704.001,\"C. Bal\\'azs, E. L. Berger (ANL) and ada lovelace\",\"A title\",\"An abstract\",hep-ph\n");
        File.WriteAllText(Path.Combine(_folder, "a.abs"),
            "\\\\\nPaper: hep-th/9108002\nFrom: someone\nTitle: On things\nAuthors: Alan Turing,\n  Grace Hopper\nCategories: hep-th\n\\\\\n  The abstract.\n\\\\\n");

        var authors = PaperAuthors.Read([_folder]);

        Assert.Equal(["ada lovelace", "alan turing"], authors["2503.00001"]);
        Assert.Equal(["c. bal\\'azs", "e. l. berger", "ada lovelace"], authors["0704.0010"]);
        Assert.Equal(["alan turing", "grace hopper"], authors["hep-th/9108002"]);
        Assert.False(authors.ContainsKey("2606.30643v1"));
        Assert.Equal(1, PaperAuthors.Shared(authors["2503.00001"], authors["0704.0010"]));
        Assert.Equal(0, PaperAuthors.Shared(authors["0704.0010"], authors["hep-th/9108002"]));
        Assert.Equal(0, PaperAuthors.Shared(authors["2503.00001"], null));
    }

    [Fact]
    public void Reranking_the_shipped_ranking_at_weight_zero_is_the_Apis_similar_papers()
    {
        var (papers, vectors) = SimilarRerankTests.TwoTopics();
        var rerank = new SimilarRerank(papers, vectors, depth: 20, FusionWeights.Similar);
        var scores = rerank.Score((q, c) => q == c ? 1 : 0);

        Assert.Equal(RelevanceEval.Similar(papers, vectors, FusionWeights.Similar).Share, SimilarRerank.Share(rerank.SamePrimary()), 9);
        Assert.Equal(SimilarRerank.Share(rerank.SamePrimary()), SimilarRerank.Share(rerank.SamePrimary(scores, 20, 0)), 9);
    }

    [Fact]
    public void Unlabelled_topics_score_papers_of_one_topic_above_papers_of_two()
    {
        var (papers, vectors) = SimilarRerankTests.TwoTopics();
        var clusters = PaperSignals.Clusters(vectors.Papers, k: 2, sharpness: 50);

        var pairs = from q in Enumerable.Range(0, papers.Count)
                    from c in Enumerable.Range(0, papers.Count)
                    where q != c
                    select (Same: papers[q].Primary == papers[c].Primary, Score: clusters(q, c));
        var scored = pairs.ToList();

        Assert.True(scored.Where(p => p.Same).Average(p => p.Score) > scored.Where(p => !p.Same).Average(p => p.Score) + 0.3);
    }

    [Fact]
    public void Diffusion_reaches_the_querys_topic_before_the_other()
    {
        var (papers, vectors) = SimilarRerankTests.TwoTopics();
        var diffusion = PaperSignals.Diffusion(vectors.Papers, PaperSignals.Nearest(vectors.Papers, 5), k: 5, alpha: 0.9);
        var others = Enumerable.Range(1, papers.Count - 1).ToArray();

        var scores = diffusion(0, others);

        var same = others.Select((c, i) => (c, i)).Where(t => papers[t.c].Primary == papers[0].Primary).Average(t => scores[t.i]);
        var other = others.Select((c, i) => (c, i)).Where(t => papers[t.c].Primary != papers[0].Primary).Average(t => scores[t.i]);
        Assert.True(same > 1.5 * other, $"same topic {same:G3}, other {other:G3}");
    }

    [Fact]
    public void A_hub_close_to_everything_loses_its_head_start_under_local_scaling()
    {
        float[] Unit(params float[] v) => [.. v.Select(x => x / MathF.Sqrt(v.Sum(y => y * y)))];
        // The query (0) is as close to the hub (1) as to the loner (2); the hub is also close to everyone else.
        float[][] vectors = [Unit(1, 0, 0), Unit(1, 1, 0), Unit(1, 0, 1), Unit(0.8f, 1, 0), Unit(0.6f, 1, 0.1f), Unit(0.7f, 1, -0.1f)];
        var nearest = PaperSignals.Nearest(vectors, 3);
        var csls = PaperSignals.Csls(vectors, nearest, 3);

        Assert.True(csls(0, 2) > csls(0, 1));
        Assert.Equal(Math.Round(System.Numerics.Tensors.TensorPrimitives.Dot(vectors[0], vectors[3]), 5),
            Math.Round(PaperSignals.Feedback(vectors, nearest, 3, alpha: 0)(0, 3), 5));
    }

    [Fact]
    public void Fused_vectors_rank_by_the_first_cosine_plus_w_times_the_second()
    {
        var random = new Random(3);
        float[] Unit(int n) => PaperSignals.Normalised([.. Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f)]);
        var first = Enumerable.Range(0, 4).Select(_ => Unit(8)).ToArray();
        var second = Enumerable.Range(0, 4).Select(_ => Unit(6)).ToArray();
        double Cos(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

        foreach (var w in new[] { 0, 0.5, 4 })
        {
            var fused = first.Zip(second, (a, b) => PaperSignals.Fused(a, b, w)).ToArray();
            Assert.Equal(14, fused[0].Length);
            Assert.Equal(1, System.Numerics.Tensors.TensorPrimitives.Norm(fused[1]), 5);
            for (var c = 1; c < 4; c++)
                Assert.Equal((Cos(first[0], first[c]) + w * Cos(second[0], second[c])) / (1 + w), Cos(fused[0], fused[c]), 5);
        }
    }
}
