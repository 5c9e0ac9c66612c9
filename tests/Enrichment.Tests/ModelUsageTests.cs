using System.Numerics.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Enrichment.Embeddings;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Tests;

/// <summary>Pooling and query/document prefixes: the packaged arctic-embed-xs, and overrides of a model's own usage.</summary>
[Collection(ModelCollection.Name)]
public sealed class ModelUsageTests(EmbedderFixture fixture)
{
    private const string Galaxies = "We model the assembly of dwarf galaxies in cosmological simulations and compare their star formation histories with observations.";
    private const string Translation = "We train a multilingual neural machine translation system and evaluate it on low-resource language pairs.";

    private static OnnxEmbedder Create(EmbeddingOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), NullLogger<OnnxEmbedder>.Instance);

    [Fact]
    public void Arctic_embed_pools_the_first_token_and_prefixes_queries_but_not_papers()
    {
        using var arctic = Create(new EmbeddingOptions { ExecutionProvider = ExecutionProvider.Cpu, Model = PackagedModel.ArcticXs });

        Assert.Equal("snowflake-arctic-embed-xs/onnx@24.9.52193", arctic.ModelId);
        Assert.Equal(384, arctic.Dimensions);
        Assert.Equal(Pooling.Cls, arctic.Usage.Pooling);
        var query = arctic.Embed([Galaxies], EmbeddingRole.Query)[0];
        var paper = arctic.Embed([Galaxies], EmbeddingRole.Document)[0];
        var prefixedByHand = arctic.Embed([arctic.Usage.QueryPrefix + Galaxies], EmbeddingRole.Document)[0];
        Assert.InRange(TensorPrimitives.Dot(query, prefixedByHand), 0.9999f, 1.0001f);
        Assert.InRange(TensorPrimitives.Dot(query, paper), -1f, 0.99f);
        Assert.InRange(TensorPrimitives.Norm(query), 0.999f, 1.001f);

        // Mean pooling of the same model gives other vectors, under another id.
        using var meanPooled = Create(new EmbeddingOptions { ExecutionProvider = ExecutionProvider.Cpu, Model = PackagedModel.ArcticXs, Pooling = Pooling.Mean });
        Assert.StartsWith("snowflake-arctic-embed-xs/onnx@24.9.52193+usage:", meanPooled.ModelId);
        Assert.InRange(TensorPrimitives.Dot(paper, meanPooled.Embed([Galaxies])[0]), -1f, 0.99f);
    }

    [Fact]
    public void An_arctic_query_is_nearest_the_paper_it_asks_for()
    {
        using var arctic = Create(new EmbeddingOptions { ExecutionProvider = ExecutionProvider.Cpu, Model = PackagedModel.ArcticXs });
        var papers = arctic.Embed([Galaxies, Translation]);

        var galaxyQuery = arctic.Embed(["how do dwarf galaxies form stars"], EmbeddingRole.Query)[0];
        var translationQuery = arctic.Embed(["translation for languages with little data"], EmbeddingRole.Query)[0];

        Assert.True(TensorPrimitives.Dot(galaxyQuery, papers[0]) > TensorPrimitives.Dot(galaxyQuery, papers[1]));
        Assert.True(TensorPrimitives.Dot(translationQuery, papers[1]) > TensorPrimitives.Dot(translationQuery, papers[0]));
    }

    [Fact]
    public void MiniLM_keeps_its_id_and_has_no_prefixes_so_stored_vectors_stay_valid()
    {
        Assert.Equal("all-MiniLM-L6-v2/onnx@24.9.52193", fixture.Embedder.ModelId);
        Assert.Equal(ModelUsage.MeanPooled, fixture.Embedder.Usage);
        Assert.Equal(fixture.Embedder.Embed([Galaxies], EmbeddingRole.Query)[0], fixture.Embedder.Embed([Galaxies], EmbeddingRole.Document)[0]);
    }

    [Fact]
    public void A_configured_prefix_or_pooling_other_than_the_models_own_changes_the_id()
    {
        var model = new byte[] { 1, 2, 3 };
        Assert.Equal(EmbeddingModelFiles.MiniLm.IdFor(model), EmbeddingModelFiles.For(new EmbeddingOptions()).IdFor(model));
        Assert.Equal(EmbeddingModelFiles.MiniLm.IdFor(model), EmbeddingModelFiles.For(new EmbeddingOptions { Pooling = Pooling.Mean, QueryPrefix = "" }).IdFor(model));

        var prefixed = EmbeddingModelFiles.For(new EmbeddingOptions { QueryPrefix = "query: " });
        var cls = EmbeddingModelFiles.For(new EmbeddingOptions { Pooling = Pooling.Cls });
        Assert.Equal("query: ", prefixed.Usage.QueryPrefix);
        Assert.Matches(@"^all-MiniLM-L6-v2/onnx@24\.9\.52193\+usage:[0-9a-f]{16}$", prefixed.IdFor(model));
        Assert.NotEqual(prefixed.IdFor(model), cls.IdFor(model));

        // arctic-embed without its query prefix is another usage, so another id.
        Assert.NotEqual(EmbeddingModelFiles.ArcticXs.IdFor(model),
            EmbeddingModelFiles.For(new EmbeddingOptions { Model = PackagedModel.ArcticXs, QueryPrefix = "" }).IdFor(model));
    }

    [Fact]
    public async Task The_batcher_coalesces_queries_and_passes_papers_straight_through_with_their_role()
    {
        var model = new RoleRecorder();
        using var batcher = new EmbeddingBatcher(model, new EmbeddingOptions { QueryBatchWindowMilliseconds = 5, QueryBatchMaxTexts = 64 });

        await batcher.EmbedAsync(["a query"], CancellationToken.None);
        await batcher.EmbedAsync(["a paper"], EmbeddingRole.Document, CancellationToken.None);
        await batcher.EmbedAsync(["a topic"], EmbeddingRole.Query, CancellationToken.None);

        Assert.Equal([("a query", EmbeddingRole.Query), ("a paper", EmbeddingRole.Document), ("a topic", EmbeddingRole.Query)], model.Seen);
    }

    private sealed class RoleRecorder : ITextEmbedder
    {
        public List<(string, EmbeddingRole)> Seen { get; } = [];

        public string ModelId => "recorder";

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            EmbedAsync(texts, EmbeddingRole.Query, cancellationToken);

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingRole role, CancellationToken cancellationToken)
        {
            lock (Seen)
                Seen.AddRange(texts.Select(t => (t, role)));
            return Task.FromResult(texts.Select(_ => new float[] { 1 }).ToArray());
        }
    }
}
