using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Papers.ServiceDefaults.Embeddings;
using Papers.Training.Data;
using Papers.Training.Learning;

namespace Papers.Training.Retraining;

/// <summary>
/// The labelled papers the shipped tagger was trained on (tools/Enrichment.Lab/Training, built
/// into this assembly), embedded with the host's embedder and cached by model and text, so every
/// retrained model still knows the categories a harvest lacks.
/// </summary>
public sealed class BaseTrainingSet(TrainingDbContext db, ITextEmbedder embedder, ILogger<BaseTrainingSet> logger)
{
    private const int Chunk = 64;

    private static readonly Lazy<IReadOnlyList<LabelledPaper>> Papers = new(Read);

    /// <summary>The base set's papers with their vectors of the embedder's model (embedding the ones not cached yet).</summary>
    internal async Task<IReadOnlyList<TrainingExample>> LoadAsync(string embeddingModel, CancellationToken cancellationToken)
    {
        var papers = Papers.Value;
        var keys = papers.Select(p => Key(embeddingModel, p.Text)).ToList();
        var cached = await db.BaseVectors.AsNoTracking().Where(v => keys.Contains(v.Key)).ToDictionaryAsync(v => v.Key, v => v.Embedding!, cancellationToken);
        var missing = Enumerable.Range(0, papers.Count).Where(i => !cached.ContainsKey(keys[i])).ToList();
        if (missing.Count > 0)
            logger.LogInformation("Embedding {Missing} of the {Count} base-set papers with {Model} (once per embedding model)", missing.Count, papers.Count, embeddingModel);
        foreach (var chunk in missing.Chunk(Chunk))
        {
            var vectors = await embedder.EmbedAsync(chunk.Select(i => papers[i].Text).ToList(), EmbeddingRole.Document, cancellationToken);
            if (embedder.ModelId != embeddingModel)
                throw new InvalidOperationException($"The embedder switched from {embeddingModel} to {embedder.ModelId} while the base set was embedded; retrain again.");
            for (var j = 0; j < chunk.Length; j++)
            {
                cached[keys[chunk[j]]] = vectors[j];
                db.BaseVectors.Add(new BaseVector { Key = keys[chunk[j]], Embedding = vectors[j] });
            }
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
        // The base set has no listing days that matter: it is only ever fitted on, never validated on.
        return papers.Select((p, i) => new TrainingExample(p, cached[keys[i]], DateOnly.MinValue)).ToList();
    }

    private static string Key(string model, string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(model + "\n" + text)).AsSpan(0, 24));

    /// <summary>The compact JSON Lines the lab's <c>convert</c> writes: <c>id</c>, <c>title</c>, <c>summary</c>, <c>categories</c> (today's ids, primary first).</summary>
    private static IReadOnlyList<LabelledPaper> Read()
    {
        var assembly = typeof(BaseTrainingSet).Assembly;
        var papers = new List<LabelledPaper>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("base/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            while (reader.ReadLine() is { } line)
                if (line.Length > 0 && JsonSerializer.Deserialize<Line>(line, Json) is { Categories.Count: > 0 } p)
                    papers.Add(new LabelledPaper(p.Id, p.Title, p.Summary, p.Categories));
        }
        return papers;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Line(string Id, string Title, string Summary, List<string> Categories);
}
