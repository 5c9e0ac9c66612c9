using System.Collections.Concurrent;
using System.Numerics.Tensors;
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
/// A batch is <see cref="EmbeddingOptions.BatchSize"/> full-length texts, or as many shorter
/// ones as fit the same number of tokens. Input and output tensors live in buffers reused from
/// batch to batch.
/// </summary>
public sealed class OnnxEmbedder : ITextEmbedder, IDisposable
{
    /// <summary>Characters of a text read at most: far more than <see cref="EmbeddingOptions.MaxTokens"/> tokens ever need, so a 1 MB abstract costs no more than a normal one.</summary>
    private const int CharsPerToken = 32;

    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputNames = ["last_hidden_state"];

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer = new();
    private readonly Lock _tokenizerLock = new();
    private readonly EmbeddingOptions _options;
    private readonly ConcurrentBag<BatchBuffers> _buffers = [];

    public OnnxEmbedder(IOptions<EmbeddingOptions> options, ILogger<OnnxEmbedder> logger)
        : this(options.Value, logger, MiniLmModel.LoadModel)
    {
    }

    internal OnnxEmbedder(EmbeddingOptions options, ILogger logger, Func<byte[]> loadModel)
    {
        _options = options;
        options.Validate();
        using (var vocabulary = MiniLmModel.OpenVocabulary())
            _tokenizer.LoadVocabulary(vocabulary, convertInputToLowercase: true);
        var (session, provider) = ExecutionProviders.CreateSession(loadModel(), _options, logger);
        _session = session;
        ActiveProvider = provider;
        logger.LogInformation("Embedding model {Model} loaded on {Provider} (batch size {BatchSize}, {Threads} intra-op threads, graph optimisation {Optimization})",
            ModelId, provider, _options.BatchSize, _options.EffectiveIntraOpThreads, _options.GraphOptimization);
    }

    public string ModelId => MiniLmModel.Id;

    /// <summary>The provider actually in use after any fallback.</summary>
    public ExecutionProvider ActiveProvider { get; }

    internal EmbeddingOptions Options => _options;

    /// <summary>The ONNX Runtime session, for the benchmark's bare-call ceiling.</summary>
    internal InferenceSession Session => _session;

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
        if (texts.Count == 0)
            return vectors;
        var buffers = RentBuffers();
        try
        {
            // Batches hold up to BatchSize texts of MaxTokens tokens, or as many more shorter ones
            // as fit the same tokens (keyphrases, queries): padded width × rows stays within budget.
            var budget = _options.BatchSize * _options.MaxTokens;
            for (var start = 0; start < order.Length;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rows = 1;
                while (start + rows < order.Length && (rows + 1) * tokens[order[start + rows]].Length <= budget)
                    rows++;
                RunBatch(order.AsSpan(start, rows), tokens, vectors, buffers);
                start += rows;
            }
        }
        finally
        {
            _buffers.Add(buffers);
        }
        return vectors;
    }

    /// <summary>Token ids of one text, [CLS] … [SEP], truncated to the model's limit; never empty.</summary>
    internal long[] Tokenize(string? text)
    {
        text ??= string.Empty;
        var maxChars = _options.MaxTokens * CharsPerToken;
        if (text.Length > maxChars)
            text = text[..(char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars)];
        Span<long> ids = stackalloc long[_options.MaxTokens];
        Span<long> mask = stackalloc long[_options.MaxTokens];
        int count;
        lock (_tokenizerLock)
            count = _tokenizer.Encode(text, ids, mask, padTo: null);
        return ids[..count].ToArray();
    }

    private BatchBuffers RentBuffers() =>
        _buffers.TryTake(out var buffers) ? buffers : new BatchBuffers(_options.BatchSize, _options.MaxTokens);

    private void RunBatch(ReadOnlySpan<int> batch, long[][] tokens, float[][] vectors, BatchBuffers buffers)
    {
        var rows = batch.Length;
        var width = 0;
        foreach (var i in batch)
            width = Math.Max(width, tokens[i].Length);
        var size = rows * width;
        var ids = buffers.Ids.AsSpan(0, size);
        var mask = buffers.Mask.AsSpan(0, size);
        ids.Clear();
        mask.Clear();
        for (var r = 0; r < rows; r++)
        {
            var t = tokens[batch[r]];
            t.CopyTo(ids.Slice(r * width));
            mask.Slice(r * width, t.Length).Fill(1);
        }

        long[] shape = [rows, width];
        long[] outputShape = [rows, width, MiniLmModel.Dimensions];
        var hidden = buffers.Hidden.AsMemory(0, size * MiniLmModel.Dimensions);
        using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Ids.AsMemory(0, size), shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Mask.AsMemory(0, size), shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Types.AsMemory(0, size), shape);
        using var hiddenValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, hidden, outputShape);
        using var runOptions = new RunOptions();
        _session.Run(runOptions, InputNames, [idsValue, maskValue, typesValue], OutputNames, [hiddenValue]);

        var all = hidden.Span;
        for (var r = 0; r < rows; r++)
            vectors[batch[r]] = MeanPoolNormalized(all.Slice(r * width * MiniLmModel.Dimensions, width * MiniLmModel.Dimensions), tokens[batch[r]].Length);
    }

    /// <summary>Mean of the first <paramref name="length"/> token vectors (the unpadded ones), L2-normalised.</summary>
    internal static float[] MeanPoolNormalized(ReadOnlySpan<float> tokenVectors, int length)
    {
        var vector = new float[MiniLmModel.Dimensions];
        for (var t = 0; t < length; t++)
            TensorPrimitives.Add(vector, tokenVectors.Slice(t * MiniLmModel.Dimensions, MiniLmModel.Dimensions), vector);
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
            TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    public void Dispose() => _session.Dispose();

    /// <summary>Inputs and output of one model call at the largest batch, allocated once and reused.</summary>
    private sealed class BatchBuffers(int batchSize, int maxTokens)
    {
        public long[] Ids { get; } = new long[batchSize * maxTokens];
        public long[] Mask { get; } = new long[batchSize * maxTokens];

        /// <summary>Always zero: MiniLM reads one segment.</summary>
        public long[] Types { get; } = new long[batchSize * maxTokens];

        public float[] Hidden { get; } = new float[batchSize * maxTokens * MiniLmModel.Dimensions];
    }
}
