namespace Papers.Enrichment.Embeddings;

public enum ExecutionProvider
{
    /// <summary>CPU only.</summary>
    Cpu,

    /// <summary>CUDA; start-up fails if it can't be loaded.</summary>
    Cuda,

    /// <summary>CUDA when its libraries load, else CPU with one warning.</summary>
    Auto,
}

/// <summary>ONNX Runtime's graph optimisation levels, by name.</summary>
public enum GraphOptimization
{
    None,
    Basic,
    Extended,
    All,
}

/// <summary>Section <c>Embedding</c>.</summary>
public sealed class EmbeddingOptions
{
    public const string Section = "Embedding";

    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Auto;

    /// <summary>
    /// The packaged model used when <see cref="ModelPath"/> is empty. Changing it changes the model
    /// id, so every stored paper is re-embedded (services/Api/README.md, "Changing the embedding model").
    /// </summary>
    public PackagedModel Model { get; set; } = PackagedModel.MiniLM;

    /// <summary>
    /// An ONNX sentence-embedding model (BERT-style: <c>input_ids</c>, <c>attention_mask</c>,
    /// optionally <c>token_type_ids</c>, output <c>last_hidden_state</c>; mean pooling unless
    /// <see cref="Pooling"/> says otherwise) to use instead of a packaged one. Its id names a hash
    /// of the file, so a new file re-embeds every paper.
    /// </summary>
    public string? ModelPath { get; set; }

    /// <summary>How token vectors become a sentence vector; unset = the model's own (mean for MiniLM and files, CLS for arctic-embed).</summary>
    public Pooling? Pooling { get; set; }

    /// <summary>Text put before every query (search text, topics, category descriptions) before tokenising; unset = the model's own, "" = none.</summary>
    public string? QueryPrefix { get; set; }

    /// <summary>Text put before every paper before tokenising; unset = the model's own (none for the packaged models), "" = none.</summary>
    public string? DocumentPrefix { get; set; }

    /// <summary>The model's WordPiece vocabulary; defaults to <c>vocab.txt</c> next to <see cref="ModelPath"/>.</summary>
    public string? VocabularyPath { get; set; }

    /// <summary>Name in the model id; defaults to the file's name (or its folder's, for <c>model.onnx</c>).</summary>
    public string? ModelName { get; set; }

    /// <summary>How often a running replica repeats its <c>EnrichmentRunning</c> announcement (it also sends one at start).</summary>
    public TimeSpan AnnounceEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lower-case text before tokenising, as uncased models (MiniLM) expect.</summary>
    public bool Lowercase { get; set; } = true;

    /// <summary>Threads inside one operator; 0 = one per core (measured best on 2 cores: 2).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Let idle intra-op threads spin between operators: faster batches, busier cores when idle.</summary>
    public bool AllowSpinning { get; set; } = true;

    public GraphOptimization GraphOptimization { get; set; } = GraphOptimization.All;

    /// <summary>
    /// Full-length texts per model call (shorter ones fill the same tokens). Texts are sorted by
    /// length first, so padding stays small. 4 measured as fast as 8–32 on 2 cores, with the least memory.
    /// </summary>
    public int BatchSize { get; set; } = 4;

    /// <summary>Tokens per text, [CLS] and [SEP] included; MiniLM was trained with 256.</summary>
    public int MaxTokens { get; set; } = 256;

    public int CudaDeviceId { get; set; }

    /// <summary>How long <c>POST /embed</c> waits for concurrent requests to share a model call.</summary>
    public int QueryBatchWindowMilliseconds { get; set; } = 3;

    /// <summary>Most texts one coalesced <c>POST /embed</c> model call takes.</summary>
    public int QueryBatchMaxTexts { get; set; } = 64;

    internal int EffectiveIntraOpThreads => IntraOpThreads > 0 ? IntraOpThreads : Environment.ProcessorCount;

    internal void Validate()
    {
        if (BatchSize < 1)
            throw new InvalidOperationException($"Embedding:BatchSize must be at least 1; it is {BatchSize}.");
        if (MaxTokens is < 8 or > 512)
            throw new InvalidOperationException($"Embedding:MaxTokens must be between 8 and 512 (the model's positions); it is {MaxTokens}.");
        if (IntraOpThreads < 0)
            throw new InvalidOperationException($"Embedding:IntraOpThreads must be 0 (one per core) or more; it is {IntraOpThreads}.");
        if (AnnounceEvery <= TimeSpan.Zero)
            throw new InvalidOperationException($"Embedding:AnnounceEvery must be a positive duration (hh:mm:ss); it is {AnnounceEvery}.");
        if (QueryBatchWindowMilliseconds < 0 || QueryBatchMaxTexts < 1)
            throw new InvalidOperationException("Embedding:QueryBatchWindowMilliseconds must be 0 or more and Embedding:QueryBatchMaxTexts at least 1.");
    }
}
