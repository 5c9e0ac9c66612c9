using System.Buffers;
using FastBertTokenizer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Embeddings;

/// <summary>
/// Sentence embeddings with MiniLM on ONNX Runtime: texts are tokenised, sorted by length and
/// run in batches padded to the longest text of the batch; the token vectors of
/// <c>last_hidden_state</c> are mean-pooled over the attention mask and L2-normalised.
/// </summary>
public sealed class OnnxEmbedder : ITextEmbedder, IDisposable
{
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer = new();
    private readonly EmbeddingOptions _options;
    private static readonly string[] OutputNames = ["last_hidden_state"];

    public OnnxEmbedder(IOptions<EmbeddingOptions> options, ILogger<OnnxEmbedder> logger)
    {
        _options = options.Value;
        if (_options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.BatchSize, "Embedding:BatchSize must be at least 1.");
        if (_options.MaxTokens is < 8 or > 512)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxTokens, "Embedding:MaxTokens must be between 8 and 512.");

        using (var vocabulary = MiniLmModel.OpenVocabulary())
            _tokenizer.LoadVocabulary(vocabulary, convertInputToLowercase: true);
        var (session, provider) = ExecutionProviders.CreateSession(MiniLmModel.LoadModel(), _options, logger);
        _session = session;
        ActiveProvider = provider;
        logger.LogInformation("Embedding model {Model} loaded on {Provider}", ModelId, provider);
    }

    public string ModelId => MiniLmModel.Id;

    /// <summary>The provider actually in use after any fallback.</summary>
    public ExecutionProvider ActiveProvider { get; }

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        Task.FromResult(Embed(texts, cancellationToken));

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var tokens = new long[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
            tokens[i] = Tokenize(texts[i]);

        // Sorting by length keeps padding, and so wasted compute, small within each batch.
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokens[i].Length).ToArray();
        var vectors = new float[texts.Count][];
        for (var start = 0; start < order.Length; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(_options.BatchSize, order.Length - start)).ToArray();
            RunBatch(batch, tokens, vectors);
        }
        return vectors;
    }

    /// <summary>Token ids of one text, [CLS] … [SEP], truncated to the model's limit; never empty.</summary>
    internal long[] Tokenize(string text)
    {
        var ids = new long[_options.MaxTokens];
        var mask = new long[_options.MaxTokens];
        var count = _tokenizer.Encode(text ?? string.Empty, ids, mask, padTo: null);
        return ids[..count];
    }

    private void RunBatch(int[] batch, long[][] tokens, float[][] vectors)
    {
        var rows = batch.Length;
        var width = batch.Max(i => tokens[i].Length);
        var size = rows * width;
        var ids = ArrayPool<long>.Shared.Rent(size);
        var mask = ArrayPool<long>.Shared.Rent(size);
        var types = ArrayPool<long>.Shared.Rent(size);
        try
        {
            Array.Clear(ids, 0, size);
            Array.Clear(mask, 0, size);
            Array.Clear(types, 0, size);
            for (var r = 0; r < rows; r++)
            {
                var t = tokens[batch[r]];
                t.CopyTo(ids, r * width);
                mask.AsSpan(r * width, t.Length).Fill(1);
            }

            long[] shape = [rows, width];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids.AsMemory(0, size), shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, size), shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, types.AsMemory(0, size), shape);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(
                runOptions,
                ["input_ids", "attention_mask", "token_type_ids"],
                [idsValue, maskValue, typesValue],
                OutputNames);
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            for (var r = 0; r < rows; r++)
                vectors[batch[r]] = MeanPoolNormalized(hidden.Slice(r * width * MiniLmModel.Dimensions, width * MiniLmModel.Dimensions), tokens[batch[r]].Length);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<long>.Shared.Return(mask);
            ArrayPool<long>.Shared.Return(types);
        }
    }

    /// <summary>Mean of the first <paramref name="length"/> token vectors (the unpadded ones), L2-normalised.</summary>
    private static float[] MeanPoolNormalized(ReadOnlySpan<float> tokenVectors, int length)
    {
        var vector = new float[MiniLmModel.Dimensions];
        for (var t = 0; t < length; t++)
            System.Numerics.Tensors.TensorPrimitives.Add(vector, tokenVectors.Slice(t * MiniLmModel.Dimensions, MiniLmModel.Dimensions), vector);
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
        if (norm > 0)
            System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    public void Dispose() => _session.Dispose();
}
