using System.Numerics.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Api.Search;

namespace Papers.Api.Tests;

/// <summary>Both search backends, real Lucene.Net and USearch for the disk one: the same behaviour on the same papers.</summary>
public sealed class SearchBackendTests : IDisposable
{
    private readonly List<IDisposable> _opened = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "papers-search-tests", Guid.NewGuid().ToString("n"));

    public static TheoryData<SearchBackend> Backends => [SearchBackend.InMemory, SearchBackend.Disk];

    public void Dispose()
    {
        foreach (var index in _opened)
            index.Dispose();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    internal static float[] Unit(params float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    internal static IndexedPaper Paper(string id, string title, float[]? vector = null, string text = "", string model = "m1") =>
        new(id, title, text, ["A. Author"], [], vector, vector is null ? null : model);

    private ISearchIndex Open(SearchBackend backend)
    {
        if (backend == SearchBackend.InMemory)
            return new SearchIndex();
        var index = OpenDisk(_directory);
        return index;
    }

    internal DiskSearchIndex OpenDisk(string directory)
    {
        var index = new DiskSearchIndex(new SearchOptions { Backend = SearchBackend.Disk, IndexDirectory = directory }, NullLogger.Instance, TimeProvider.System);
        _opened.Add(index);
        return index;
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Keyword_search_ranks_title_matches_first_and_ignores_unrelated_papers(SearchBackend backend)
    {
        var index = Open(backend);
        index.Upsert([
            Paper("a", "Quantization of transformers", text: "We study low-bit weights."),
            Paper("b", "Protein folding", text: "Quantization is mentioned once here."),
            Paper("c", "Graph neural networks", text: "Message passing."),
        ]);

        var hits = index.Search("quantization", null, null, 10);

        Assert.Equal(["a", "b"], hits.Select(h => h.PaperId));
        Assert.Equal([1, 2], hits.Select(h => h.KeywordRank));
        Assert.All(hits, h => Assert.Null(h.Similarity));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Keyword_search_folds_plurals_and_drops_stop_words_like_the_in_memory_tokens(SearchBackend backend)
    {
        var index = Open(backend);
        index.Upsert([Paper("a", "Sparse attention kernels"), Paper("b", "The theory of the mind")]);

        Assert.Equal("a", Assert.Single(index.Search("KERNEL", null, null, 10)).PaperId);
        Assert.Empty(index.Search("the of", null, null, 10));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Semantic_search_finds_papers_without_shared_words_and_drops_far_ones(SearchBackend backend)
    {
        var index = Open(backend);
        index.Upsert([Paper("near", "Low-bit inference", Unit(1, 0.1f, 0)), Paper("far", "Star formation", Unit(0, 0, 1))]);

        var hits = index.Search("compact numbers", Unit(1, 0, 0), "m1", 10);

        var hit = Assert.Single(hits);
        Assert.Equal("near", hit.PaperId);
        Assert.Null(hit.KeywordRank);
        Assert.Equal(0.995, hit.Similarity!.Value, 0.01);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Vectors_of_another_model_are_never_compared(SearchBackend backend)
    {
        var index = Open(backend);
        index.Upsert([Paper("a", "Anything", Unit(1, 0, 0)), Paper("b", "Other", Unit(1, 0, 0), model: "m2")]);

        Assert.Empty(index.Search("zzz", Unit(1, 0, 0), "other-model", 10));
        Assert.Equal("a", Assert.Single(index.Search("zzz", Unit(1, 0, 0), "m1", 10)).PaperId);
        Assert.Equal("b", Assert.Single(index.Search("zzz", Unit(1, 0, 0), "m2", 10)).PaperId);
        Assert.Equal([], index.Similar("a", 5).Select(s => s.PaperId));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Upsert_replaces_the_old_text_and_vector_of_a_paper(SearchBackend backend)
    {
        var index = Open(backend);
        index.Upsert(Paper("a", "Old title about galaxies", Unit(1, 0, 0)));
        index.Upsert(Paper("a", "New title about proteins", Unit(0, 1, 0), model: "m2"));

        Assert.Empty(index.Search("galaxies", null, null, 10));
        Assert.Single(index.Search("proteins", null, null, 10));
        Assert.Empty(index.Search("zzz", Unit(1, 0, 0), "m1", 10));
        Assert.Equal("a", Assert.Single(index.Search("zzz", Unit(0, 1, 0), "m2", 10)).PaperId);
        Assert.Equal(1, index.Count);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Similar_returns_nearest_papers_best_first_without_the_paper_itself(SearchBackend backend)
    {
        var index = Open(backend);
        index.Upsert([
            Paper("q", "Seed", Unit(1, 0, 0)),
            Paper("close", "Close", Unit(1, 0.2f, 0)),
            Paper("closer", "Closer", Unit(1, 0.05f, 0)),
            Paper("far", "Far", Unit(0, 1, 0)),
            Paper("unenriched", "No vector"),
        ]);

        var similar = index.Similar("q", 2);

        Assert.Equal(["closer", "close"], similar.Select(s => s.PaperId));
        Assert.Empty(index.Similar("unenriched", 5));
        Assert.Empty(index.Similar("missing", 5));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Neighbourhood_feedback_ranks_by_what_the_neighbours_share_and_shows_similarity_to_the_text(SearchBackend backend)
    {
        var index = Open(backend);
        index.Upsert([
            Paper("q", "Seed", Unit(1, 0, 0)),
            Paper("lone", "Near the seed alone", Unit(0.9f, -0.436f, 0)),
            Paper("c1", "Cluster", Unit(0.8f, 0.6f, 0)),
            Paper("c2", "Cluster", Unit(0.8f, 0.6f, 0.01f)),
            Paper("c3", "Cluster", Unit(0.8f, 0.6f, -0.01f)),
        ]);

        var plain = index.SimilarTo("", Unit(1, 0, 0), "m1", exclude: "q", 4, new FusionWeights(0, 1));
        var expanded = index.SimilarTo("", Unit(1, 0, 0), "m1", exclude: "q", 4, new FusionWeights(0, 1, Neighbourhood: 4));

        Assert.Equal("lone", plain[0].PaperId);
        // The query moved toward the three papers its neighbourhood shares; the lone one falls last.
        Assert.Equal("lone", expanded[^1].PaperId);
        Assert.DoesNotContain("q", expanded.Select(h => h.PaperId));
        Assert.Equal(0.9, expanded[^1].Similarity!.Value, 0.02);
        Assert.Equal(0.8, expanded[0].Similarity!.Value, 0.02);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Shared_neighbours_put_papers_of_the_querys_topic_before_closer_papers_from_another(SearchBackend backend)
    {
        // The query's topic (a…) and another (b…), 25 papers each; five bridges are nearer the
        // query (cosine .91) than any a-paper (.89), but their own nearest papers are each other
        // and b-papers. Half the query's ten nearest are bridges, so neighbourhood feedback alone
        // still ranks them first.
        var index = Open(backend);
        index.Upsert([
            Paper("q", "Seed", Unit(1, 0, 0)),
            .. Enumerable.Range(0, 5).Select(i => Paper($"bridge{i}", "Bridge", Unit(1, -0.45f, 0.01f * i))),
            .. Enumerable.Range(0, 25).Select(i => Paper($"a{i:D2}", "Topic", Unit(1, 0.5f, 0.01f * i - 0.12f))),
            .. Enumerable.Range(0, 25).Select(i => Paper($"b{i:D2}", "Other", Unit(1, -1, 0.01f * i - 0.12f))),
        ]);

        var before = index.SimilarTo("", Unit(1, 0, 0), "m1", exclude: "q", 5, FusionWeights.Similar with { SharedNeighbours = 0 });
        var shared = index.SimilarTo("", Unit(1, 0, 0), "m1", exclude: "q", 5, new FusionWeights(0, 1, SharedNeighbours: 2));
        var shipped = index.Similar("q", 5);

        Assert.All(before, h => Assert.StartsWith("bridge", h.PaperId));
        Assert.All(shared, h => Assert.StartsWith("a", h.PaperId));
        Assert.All(shipped, h => Assert.StartsWith("a", h.PaperId));
        // Each hit still shows its own similarity to the query.
        Assert.All(shared, h => Assert.Equal(0.89, h.Similarity!.Value, 0.01));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Similar_papers_also_find_papers_that_share_rare_words_and_say_so(SearchBackend backend)
    {
        var index = Open(backend);
        index.Upsert([
            Paper("q", "Seed", Unit(1, 0, 0), text: "Tokamak plasma disruptions predicted from magnetics."),
            Paper("meaning", "Near in meaning", Unit(1, 0.1f, 0), text: "Fusion reactors."),
            Paper("words", "Far in meaning", Unit(0.3f, 1, 0), text: "Tokamak disruptions, again."),
            Paper("neither", "Unrelated", Unit(0, 0, 1), text: "Protein folding."),
        ]);

        var similar = index.Similar("q", 3);

        // Neither the paper itself nor one unlike it in words and meaning.
        Assert.Equal(["meaning", "words"], similar.Select(s => s.PaperId).Order());
        // Every paper comes with its embedding similarity, the keyword-only one too.
        Assert.Equal(Unit(0.3f, 1, 0)[0], similar.Single(s => s.PaperId == "words").Similarity, 0.02);

        // A pasted text: each hit says which ranking found it.
        var pasted = index.SimilarTo("tokamak disruptions", Unit(1, 0.1f, 0), "m1", exclude: "meaning", 5);
        Assert.DoesNotContain("meaning", pasted.Select(h => h.PaperId));
        var both = pasted.Single(h => h.PaperId == "q");
        Assert.NotNull(both.KeywordRank);
        Assert.NotNull(both.Similarity);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void A_paper_found_both_ways_is_fused_above_either_half_alone(SearchBackend backend)
    {
        var index = Open(backend);
        index.Upsert([
            Paper("both", "Quantization of transformers", Unit(1, 0.1f, 0)),
            Paper("words", "Quantization for databases", Unit(0, 0, 1)),
            Paper("meaning", "Low-bit inference", Unit(1, 0.2f, 0)),
        ]);

        var hits = index.Search("quantization", Unit(1, 0, 0), "m1", 10);

        Assert.Equal("both", hits[0].PaperId);
        Assert.Equal((1, true), (hits[0].KeywordRank, hits[0].Similarity is not null));
        Assert.Equal(["both", "meaning", "words"], hits.Select(h => h.PaperId).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Remove_takes_a_paper_out_of_both_halves(SearchBackend backend)
    {
        var index = Open(backend);
        index.Upsert([Paper("a", "Quantization", Unit(1, 0, 0)), Paper("b", "Quantization too", Unit(1, 0.1f, 0))]);

        index.Remove("a");

        Assert.Equal(["b"], index.Search("quantization", Unit(1, 0, 0), "m1", 10).Select(h => h.PaperId));
        Assert.Equal(1, index.Count);
    }

    /// <summary>
    /// The 74 real papers of the bundled sample, each with a vector: a few made-up "topics" (unit
    /// vectors) blended per paper, so that neighbourhoods exist. Keyword results must match the
    /// in-memory index (Lucene stores document lengths in one byte, so near-ties may swap), and
    /// semantic ones must too, up to the near-ties int8 storage may swap.
    /// </summary>
    [Fact]
    public void On_real_papers_the_disk_index_gives_the_in_memory_top_results()
    {
        var papers = SamplePapers();
        var memory = new SearchIndex();
        var disk = OpenDisk(_directory);
        memory.Upsert(papers);
        disk.Upsert(papers);
        var byId = papers.ToDictionary(p => p.PaperId);

        var keywordQueries = new[] { "diffusion", "reinforcement learning", "language model agents", "video generation", "reasoning benchmark", "image editing" };
        foreach (var query in keywordQueries)
        {
            var expected = memory.Search(query, null, null, 10);
            var actual = disk.Search(query, null, null, 10);
            Assert.True(expected.Count > 0, query);
            Assert.Equal(expected[0].PaperId, actual[0].PaperId);
            Assert.True(expected.Select(h => h.PaperId).Intersect(actual.Select(h => h.PaperId)).Count() >= expected.Count - 1,
                $"{query}: {string.Join(",", expected.Select(h => h.PaperId))} vs {string.Join(",", actual.Select(h => h.PaperId))}");
        }

        foreach (var paper in papers.Take(20))
        {
            // Similar papers fuse keywords and meaning: the disk's top 5 must hold at least 3 of the
            // in-memory top 5 (Lucene's one-byte document lengths and int8 vectors reorder near-ties
            // in both rankings), each paper with its exact cosine to within 0.02, keyword-only finds included.
            var expected = memory.Similar(paper.PaperId, 5);
            var actual = disk.Similar(paper.PaperId, 5);
            Assert.Equal(5, actual.Count);
            Assert.True(expected.Select(s => s.PaperId).Intersect(actual.Select(s => s.PaperId)).Count() >= 3,
                $"{paper.PaperId}: {string.Join(",", expected.Select(s => s.PaperId))} vs {string.Join(",", actual.Select(s => s.PaperId))}");
            Assert.All(actual, s => Assert.Equal(TensorPrimitives.Dot(paper.Embedding!, byId[s.PaperId].Embedding!), s.Similarity, 0.02));

            var hybridExpected = memory.Search(paper.Title, paper.Embedding, "m1", 10);
            var hybridActual = disk.Search(paper.Title, paper.Embedding, "m1", 10);
            Assert.Equal(hybridExpected[0].PaperId, hybridActual[0].PaperId);
        }
    }

    internal static List<IndexedPaper> SamplePapers()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "platform.sln")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("platform.sln not found above the test binaries");
        var random = new Random(7);
        var topics = Enumerable.Range(0, 12).Select(_ => Unit(Enumerable.Range(0, 32).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())).ToArray();
        return File.ReadLines(Path.Combine(root, "services/Ingest/samples/daily-papers-page.jsonl")).Select((line, i) =>
        {
            var json = System.Text.Json.JsonDocument.Parse(line).RootElement;
            var vector = new float[32];
            for (var d = 0; d < 32; d++)
                vector[d] = topics[i % 12][d] + 0.6f * topics[(i * 7 + 3) % 12][d] + 0.3f * ((float)random.NextDouble() - 0.5f);
            return new IndexedPaper($"p{i:000}", json.GetProperty("title").GetString()!, json.GetProperty("summary").GetString()!,
                ["A. Author"], [], Unit(vector), "m1");
        }).ToList();
    }
}
