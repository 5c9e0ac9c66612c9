using System.Collections.Concurrent;
using System.Numerics.Tensors;
using FastBertTokenizer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Embeddings;

/// <summary>
/// Sentence embeddings with a BERT-style model (MiniLM, arctic-embed-xs) on ONNX Runtime: texts
/// get the model's query or document prefix, are tokenised, sorted by length and run in batches
/// padded to the longest text of the batch; the token vectors of <c>last_hidden_state</c> are
/// pooled as the model was trained (mean over the attention mask, or the [CLS] token) and L2-normalised.
/// A batch is <see cref="EmbeddingOptions.BatchSize"/> full-length texts, or as many shorter
/// ones as fit the same number of tokens. Input and output tensors live in buffers reused from
/// batch to batch.
/// </summary>
public sealed class OnnxEmbedder : ITextEmbedder, IDisposable
{
    /// <summary>Characters of a text read at most: far more than <see cref="EmbeddingOptions.MaxTokens"/> tokens ever need, so a 1 MB abstract costs no more than a normal one.</summary>
    private const int CharsPerToken = 32;

    private const string OutputName = "last_hidden_state";
    private static readonly string[] OutputNames = [OutputName];
    private static readonly string[] RequiredInputs = ["input_ids", "attention_mask"];
    private const string TokenTypesInput = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer = new();
    private readonly Lock _tokenizerLock = new();
    private readonly EmbeddingOptions _options;
    private readonly ConcurrentBag<BatchBuffers> _buffers = [];
    private readonly string[] _inputNames;
    private readonly ILogger _logger;
    private readonly object _callsGate = new(); // Monitor's Wait and PulseAll: System.Threading.Lock has neither
    private int _callsInFlight;
    private bool _disposed;

    public OnnxEmbedder(IOptions<EmbeddingOptions> options, ILogger<OnnxEmbedder> logger)
        : this(options.Value, logger, EmbeddingModelFiles.For(options.Value))
    {
    }

    internal OnnxEmbedder(EmbeddingOptions options, ILogger logger, EmbeddingModelFiles files)
    {
        _options = options;
        _logger = logger;
        options.Validate();
        using (var vocabulary = files.OpenVocabulary())
            _tokenizer.LoadVocabulary(vocabulary, convertInputToLowercase: options.Lowercase);
        var model = files.LoadModel();
        ModelId = files.IdFor(model);
        Usage = files.Usage;
        var (session, provider) = ExecutionProviders.CreateSession(model, _options, logger);
        _session = session;
        (_inputNames, Dimensions) = CheckShape(session, ModelId);
        ActiveProvider = provider;
        logger.LogInformation("Embedding model {Model} ({Dimensions} dimensions, {Pooling} pooling) loaded on {Provider} (batch size {BatchSize}, {Threads} intra-op threads, graph optimisation {Optimization})",
            ModelId, Dimensions, Usage.Pooling, provider, _options.BatchSize, _options.EffectiveIntraOpThreads, _options.GraphOptimization);
    }

    /// <summary>Model id and version: the shipped package's version, or a hash of a model file.</summary>
    public string ModelId { get; }

    /// <summary>Length of the vectors: the model's hidden size (384 for MiniLM).</summary>
    public int Dimensions { get; }

    /// <summary>Pooling and the query and document prefixes in use.</summary>
    public ModelUsage Usage { get; }

    /// <summary>The provider actually in use after any fallback.</summary>
    public ExecutionProvider ActiveProvider { get; }

    internal EmbeddingOptions Options => _options;

    /// <summary>The ONNX Runtime session, for the benchmark's bare-call ceiling.</summary>
    internal InferenceSession Session => _session;

    /// <summary>The inputs the model takes, in the order they are fed.</summary>
    internal string[] InputNames => _inputNames;

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        Task.FromResult(Embed(texts, EmbeddingRole.Query, cancellationToken));

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingRole role, CancellationToken cancellationToken) =>
        Task.FromResult(Embed(texts, role, cancellationToken));

    /// <summary>Embeds texts as <paramref name="role"/> says (papers, unless said otherwise).</summary>
    public float[][] Embed(IReadOnlyList<string> texts, EmbeddingRole role = EmbeddingRole.Document, CancellationToken cancellationToken = default)
    {
        EnterCall();
        try
        {
            return EmbedCounted(texts, role, cancellationToken);
        }
        finally
        {
            LeaveCall();
        }
    }

    private float[][] EmbedCounted(IReadOnlyList<string> texts, EmbeddingRole role, CancellationToken cancellationToken)
    {
        var prefix = role == EmbeddingRole.Query ? Usage.QueryPrefix : Usage.DocumentPrefix;
        var tokens = new long[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
            tokens[i] = Tokenize(prefix + texts[i]);

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
        _buffers.TryTake(out var buffers) ? buffers : new BatchBuffers(_options.BatchSize, _options.MaxTokens, Dimensions);

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
        var dims = Dimensions;
        long[] outputShape = [rows, width, dims];
        var hidden = buffers.Hidden.AsMemory(0, size * dims);
        using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Ids.AsMemory(0, size), shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Mask.AsMemory(0, size), shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Types.AsMemory(0, size), shape);
        using var hiddenValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, hidden, outputShape);
        using var runOptions = new RunOptions();
        OrtValue[] inputs = _inputNames.Length == 3 ? [idsValue, maskValue, typesValue] : [idsValue, maskValue];
        _session.Run(runOptions, _inputNames, inputs, OutputNames, [hiddenValue]);

        var all = hidden.Span;
        for (var r = 0; r < rows; r++)
            vectors[batch[r]] = PoolNormalized(all.Slice(r * width * dims, width * dims), Usage.Pooling == Pooling.Cls ? 1 : tokens[batch[r]].Length, dims);
    }

    /// <summary>
    /// Mean of the first <paramref name="length"/> token vectors (the unpadded ones, for mean
    /// pooling; just the [CLS] one, for CLS pooling), L2-normalised.
    /// </summary>
    internal static float[] PoolNormalized(ReadOnlySpan<float> tokenVectors, int length, int dimensions)
    {
        var vector = new float[dimensions];
        for (var t = 0; t < length; t++)
            TensorPrimitives.Add(vector, tokenVectors.Slice(t * dimensions, dimensions), vector);
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
            TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    /// <summary>
    /// The inputs to feed and the hidden size, read from the model: a model of another shape
    /// fails start-up here, naming what it lacks, rather than the first batch.
    /// </summary>
    private static (string[] Inputs, int Dimensions) CheckShape(InferenceSession session, string modelId)
    {
        var missing = RequiredInputs.Where(n => !session.InputMetadata.ContainsKey(n)).ToList();
        if (missing.Count > 0 || !session.OutputMetadata.TryGetValue(OutputName, out var output) || output.Dimensions is not [_, _, > 0])
        {
            session.Dispose();
            throw new InvalidOperationException(
                $"The embedding model {modelId} is not a BERT-style sentence encoder: it needs inputs input_ids and attention_mask " +
                $"(it has {string.Join(", ", session.InputMetadata.Keys)}) and a last_hidden_state output of [batch, tokens, hidden size] " +
                $"(it has {string.Join(", ", session.OutputMetadata.Select(o => $"{o.Key} [{string.Join(", ", o.Value.Dimensions)}]"))}).");
        }
        string[] inputs = session.InputMetadata.ContainsKey(TokenTypesInput) ? [.. RequiredInputs, TokenTypesInput] : RequiredInputs;
        return (inputs, output.Dimensions[2]);
    }

    /// <summary>Calls running now (a test waits for one before disposing under it).</summary>
    internal int CallsInFlight
    {
        get
        {
            lock (_callsGate)
                return _callsInFlight;
        }
    }

    private void EnterCall()
    {
        lock (_callsGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _callsInFlight++;
        }
    }

    private void LeaveCall()
    {
        lock (_callsGate)
        {
            if (--_callsInFlight == 0)
                Monitor.PulseAll(_callsGate);
        }
    }

    /// <summary>
    /// Refuses new calls, waits for the ones running, then frees the session. A host that stops
    /// while a consumer or a warm-up is still embedding disposes this singleton under it, and
    /// ONNX Runtime freed mid-run crashes the whole process (a segfault seen in tests) rather
    /// than failing the call.
    /// </summary>
    public void Dispose()
    {
        lock (_callsGate)
        {
            if (_disposed)
                return;
            _disposed = true;
            var deadline = DateTime.UtcNow + DisposeWait;
            while (_callsInFlight > 0 && DateTime.UtcNow < deadline)
                Monitor.Wait(_callsGate, deadline - DateTime.UtcNow);
            if (_callsInFlight > 0)
            {
                // Still running: leave the session to the process's exit rather than crash it.
                _logger.LogWarning("Embedding model {Model}: {Calls} call(s) still running after {Wait}; its session is left to the process's exit", ModelId, _callsInFlight, DisposeWait);
                return;
            }
        }
        _session.Dispose();
    }

    /// <summary>How long <see cref="Dispose"/> waits for running calls: a batch takes well under a second.</summary>
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(30);

    /// <summary>Inputs and output of one model call at the largest batch, allocated once and reused.</summary>
    private sealed class BatchBuffers(int batchSize, int maxTokens, int dimensions)
    {
        public long[] Ids { get; } = new long[batchSize * maxTokens];
        public long[] Mask { get; } = new long[batchSize * maxTokens];

        /// <summary>Always zero: a sentence is one segment.</summary>
        public long[] Types { get; } = new long[batchSize * maxTokens];

        public float[] Hidden { get; } = new float[batchSize * maxTokens * dimensions];
    }
}
