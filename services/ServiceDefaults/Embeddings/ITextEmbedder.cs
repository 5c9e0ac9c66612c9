namespace Papers.ServiceDefaults.Embeddings;

/// <summary>
/// Turns texts into L2-normalised sentence vectors. Enrichment runs the model; the other
/// services call it over HTTP, or in-process when they share a host with it.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>Model id and version; vectors of different models must never be compared.</summary>
    string ModelId { get; }

    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
