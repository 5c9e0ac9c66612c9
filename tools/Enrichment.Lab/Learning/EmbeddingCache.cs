using System.Security.Cryptography;
using System.Text;
using Papers.Enrichment.Embeddings;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Lab.Learning;

/// <summary>
/// Embeds texts for the offline commands, optionally remembering vectors in a file keyed by
/// model id and text hash, so that repeated eval/train runs skip the model (minutes on a CPU).
/// </summary>
internal sealed class EmbeddingCache(OnnxEmbedder embedder, string? path, TextWriter? log = null)
{
    private const int ChunkSize = 64;
    private readonly Dictionary<string, float[]> _vectors = Load(path, embedder.ModelId, embedder.Dimensions);

    public string ModelId => embedder.ModelId;

    /// <summary>Embeds texts as <paramref name="role"/> says: papers by default, or queries (titles, descriptions).</summary>
    public float[][] Embed(IReadOnlyList<string> texts, EmbeddingRole role = EmbeddingRole.Document)
    {
        var prefix = role == EmbeddingRole.Query ? embedder.Usage.QueryPrefix : embedder.Usage.DocumentPrefix;
        var keys = texts.Select(t => Key(embedder.ModelId, prefix + t)).ToArray();
        var missing = Enumerable.Range(0, texts.Count).Where(i => !_vectors.ContainsKey(keys[i])).DistinctBy(i => keys[i]).ToList();
        if (missing.Count > 0)
        {
            log?.WriteLine($"Embedding {missing.Count} texts ({texts.Count - missing.Count} cached)…");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var writer = path is null ? null : new BinaryWriter(File.Open(path, FileMode.Append));
            for (var done = 0; done < missing.Count; done += ChunkSize)
            {
                var chunk = missing.Skip(done).Take(ChunkSize).ToList();
                var vectors = embedder.Embed(chunk.Select(i => texts[i]).ToList(), role);
                for (var j = 0; j < chunk.Count; j++)
                {
                    _vectors[keys[chunk[j]]] = vectors[j];
                    if (writer is not null)
                    {
                        writer.Write(keys[chunk[j]]);
                        foreach (var x in vectors[j])
                            writer.Write(x);
                    }
                }
                writer?.Flush();
                if (done / ChunkSize % 10 == 9)
                    log?.WriteLine($"  {done + chunk.Count}/{missing.Count} ({(done + chunk.Count) / watch.Elapsed.TotalSeconds:F1}/s)");
            }
        }
        return keys.Select(k => _vectors[k]).ToArray();
    }

    /// <summary>Keyed by the text the model reads (prefix included): a model without prefixes embeds a text once for both roles.</summary>
    private static string Key(string model, string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(model + "\n" + text)).AsSpan(0, 16));

    private static Dictionary<string, float[]> Load(string? path, string model, int dimensions)
    {
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (path is null || !File.Exists(path))
            return vectors;
        using var reader = new BinaryReader(File.OpenRead(path));
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            var key = reader.ReadString();
            var vector = new float[dimensions];
            for (var i = 0; i < vector.Length; i++)
                vector[i] = reader.ReadSingle();
            vectors[key] = vector;
        }
        return vectors;
    }
}
