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

/// <summary>Section <c>Embedding</c>.</summary>
public sealed class EmbeddingOptions
{
    public const string Section = "Embedding";

    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Auto;

    /// <summary>Threads inside one operator; 0 = one per core.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Texts per model call. Texts are sorted by length first, so padding stays small.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Tokens per text, [CLS] and [SEP] included; MiniLM was trained with 256.</summary>
    public int MaxTokens { get; set; } = 256;

    public int CudaDeviceId { get; set; }
}
