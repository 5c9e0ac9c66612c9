using System.Numerics.Tensors;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Papers.Enrichment.Embeddings;

namespace Papers.Enrichment.Tests;

[Collection(ModelCollection.Name)]
public sealed class EmbeddingTests(EmbedderFixture fixture)
{
    private const string Short = "Quantization of large language models.";
    private const string Medium = "We study the cosmic microwave background anisotropies with a new likelihood for Planck data and find consistent cosmological parameters.";

    [Fact]
    public void A_text_embeds_the_same_alone_and_in_a_batch_with_longer_texts()
    {
        var alone = fixture.Embedder.Embed([Short])[0];
        var mediumAlone = fixture.Embedder.Embed([Medium])[0];
        var longText = string.Join(' ', Enumerable.Repeat(Medium, 20));
        // Batch size 4: the short texts share a padded batch with longer ones, across several model calls.
        var batch = fixture.Embedder.Embed([longText, Short, Medium, longText, "x", Short, Medium, longText, Medium]);

        foreach (var (vector, expected) in new[] { (batch[1], alone), (batch[5], alone), (batch[2], mediumAlone), (batch[8], mediumAlone) })
            for (var i = 0; i < expected.Length; i++)
                Assert.InRange(vector[i] - expected[i], -1e-4f, 1e-4f);
        Assert.Equal(9, batch.Length);
    }

    [Fact]
    public async Task Disposing_waits_for_a_running_call_and_refuses_later_ones()
    {
        // Its own embedder: the fixture's is shared with the other tests.
        var embedder = new OnnxEmbedder(fixture.Options, NullLogger.Instance, EmbeddingModelFiles.MiniLm);
        var texts = Enumerable.Range(0, 64).Select(i => $"{Medium} Paper number {i}.").ToList();
        var running = Task.Run(() => embedder.Embed(texts));
        while (embedder.CallsInFlight == 0 && !running.IsCompleted)
            await Task.Delay(1);
        embedder.Dispose(); // freed under the running call, ONNX Runtime would crash the process

        var vectors = await running;
        Assert.Equal(64, vectors.Length);
        Assert.All(vectors, v => Assert.Equal(embedder.Dimensions, v.Length));
        Assert.Throws<ObjectDisposedException>(() => embedder.Embed([Short]));
        embedder.Dispose(); // twice is harmless
    }

    [Fact]
    public void Many_short_texts_share_model_calls_and_keep_their_order()
    {
        var texts = Enumerable.Range(0, 50).Select(i => $"topic number {i}").ToList();
        var together = fixture.Embedder.Embed(texts);
        var third = fixture.Embedder.Embed([texts[3]])[0];
        Assert.True(TensorPrimitives.CosineSimilarity(together[3], third) > 0.9999f);
        Assert.True(TensorPrimitives.CosineSimilarity(together[3], together[4]) < 0.9999f);
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "empty", "" },
        { "whitespace", "   \n\t  " },
        { "1 MB", string.Join(' ', Enumerable.Repeat("spectroscopy", 1_048_576 / 13)) },
        { "control characters", "Graph\u0000 neural\u0001 networks\u0007 for\u001b[31m molecules\u007f\u200b\ufeff" },
        { "LaTeX", @"We show that $\mathcal{O}(n^{2}\log n)$ bounds hold for $\alpha \in [0,1]$ and \emph{all} $k \geq 2$ \cite{x}." },
        { "Chinese", "我们提出了一种用于大型语言模型量化的新方法。" },
        { "Russian", "Мы изучаем квантование больших языковых моделей." },
        { "Arabic and emoji", "نحن ندرس النماذج اللغوية 🚀🔥 🤖" },
        { "lone surrogate", "broken \ud800 surrogate \udc00 pair" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_still_gets_a_unit_vector(string name, string text)
    {
        var vector = fixture.Embedder.Embed([text])[0];
        Assert.Equal(384, vector.Length);
        Assert.DoesNotContain(vector, float.IsNaN);
        Assert.InRange(TensorPrimitives.Norm(vector), 0.9999f, 1.0001f);
        Assert.InRange(fixture.Embedder.Tokenize(text).Length, 2, fixture.Options.MaxTokens);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public void A_huge_text_is_truncated_to_the_model_limit_like_its_beginning()
    {
        var beginning = string.Join(' ', Enumerable.Range(0, 400).Select(i => $"word{i % 37} galaxy"));
        var huge = beginning + new string('x', 1_000_000);
        Assert.Equal(fixture.Options.MaxTokens, fixture.Embedder.Tokenize(huge).Length);
        var vectors = fixture.Embedder.Embed([huge, beginning]);
        Assert.True(TensorPrimitives.CosineSimilarity(vectors[0], vectors[1]) > 0.9999f);
    }

    [Fact]
    public void Auto_falls_back_to_the_cpu_with_one_warning_when_cuda_is_missing()
    {
        if (OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
        {
            Assert.Equal(ExecutionProvider.Cuda, fixture.Embedder.ActiveProvider);
            return;
        }
        Assert.Equal(ExecutionProvider.Cpu, fixture.Embedder.ActiveProvider);
        var warnings = fixture.Logger.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains("CUDA", warning.Message);
        Assert.Contains("CPU", warning.Message);
    }

    [Fact]
    public void Cuda_without_its_libraries_fails_with_a_clear_message()
    {
        if (OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
            return;
        var options = new EmbeddingOptions { ExecutionProvider = ExecutionProvider.Cuda };
        var error = Assert.Throws<InvalidOperationException>(() => new OnnxEmbedder(options, NullLogger.Instance, EmbeddingModelFiles.MiniLm));
        Assert.Contains("Embedding:ExecutionProvider is Cuda", error.Message);
        Assert.Contains("-p:UseCuda=true", error.Message);
    }

    [Fact]
    public void An_unloadable_model_fails_start_up_with_a_clear_message()
    {
        var options = new EmbeddingOptions { ExecutionProvider = ExecutionProvider.Cpu };
        var error = Assert.Throws<InvalidOperationException>(() => new OnnxEmbedder(options, NullLogger.Instance, EmbeddingModelFiles.MiniLm with { LoadModel = () => Encoding.UTF8.GetBytes("not an onnx model") }));
        Assert.Contains("embedding model could not be loaded", error.Message);
    }

    [Fact]
    public void Bad_configuration_fails_start_up_with_a_clear_message()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new OnnxEmbedder(new EmbeddingOptions { BatchSize = 0 }, NullLogger.Instance, EmbeddingModelFiles.MiniLm));
        Assert.Contains("Embedding:BatchSize", error.Message);
    }

    [Fact]
    public void Embeddings_carry_the_model_id_and_version()
    {
        Assert.StartsWith("all-MiniLM-L6-v2/onnx@", fixture.Embedder.ModelId);
        Assert.Matches(@"@\d+\.\d+\.\d+$", fixture.Embedder.ModelId);
    }

    [Fact]
    public void A_model_file_named_by_ModelPath_is_used_and_its_id_names_a_hash_of_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("papers-model-").FullName;
        try
        {
            var modelFolder = Directory.CreateDirectory(Path.Combine(folder, "my-minilm")).FullName;
            File.WriteAllBytes(Path.Combine(modelFolder, "model.onnx"), EmbeddingModelFiles.MiniLm.LoadModel());
            using (var vocabulary = EmbeddingModelFiles.MiniLm.OpenVocabulary())
                File.WriteAllText(Path.Combine(modelFolder, "vocab.txt"), vocabulary.ReadToEnd());
            var options = new EmbeddingOptions { ExecutionProvider = ExecutionProvider.Cpu, ModelPath = Path.Combine(modelFolder, "model.onnx") };

            using var custom = new OnnxEmbedder(Microsoft.Extensions.Options.Options.Create(options), NullLogger<OnnxEmbedder>.Instance);

            Assert.Matches(@"^my-minilm/onnx@sha256:[0-9a-f]{16}$", custom.ModelId);
            Assert.NotEqual(fixture.Embedder.ModelId, custom.ModelId);
            Assert.Equal(384, custom.Dimensions);
            // The same bytes as the shipped model: the same vectors, under another id.
            var expected = fixture.Embedder.Embed([Medium])[0];
            var actual = custom.Embed([Medium])[0];
            Assert.InRange(TensorPrimitives.Dot(expected, actual), 0.9999f, 1.0001f);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_missing_model_file_or_vocabulary_fails_start_up_naming_the_setting()
    {
        var folder = Directory.CreateTempSubdirectory("papers-model-").FullName;
        try
        {
            var missing = Path.Combine(folder, "nope.onnx");
            var error = Assert.Throws<InvalidOperationException>(() => EmbeddingModelFiles.For(new EmbeddingOptions { ModelPath = missing }));
            Assert.Contains("Embedding:ModelPath", error.Message);
            Assert.Contains(missing, error.Message);

            var model = Path.Combine(folder, "e5-small.onnx");
            File.WriteAllText(model, "not used");
            error = Assert.Throws<InvalidOperationException>(() => EmbeddingModelFiles.For(new EmbeddingOptions { ModelPath = model }));
            Assert.Contains("Embedding:VocabularyPath", error.Message);

            File.WriteAllText(Path.Combine(folder, "vocab.txt"), "[PAD]");
            Assert.Equal("e5-small", EmbeddingModelFiles.For(new EmbeddingOptions { ModelPath = model }).Name);
            Assert.Equal("named", EmbeddingModelFiles.For(new EmbeddingOptions { ModelPath = model, ModelName = "named" }).Name);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
