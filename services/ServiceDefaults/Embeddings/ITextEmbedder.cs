namespace Papers.ServiceDefaults.Embeddings;

/// <summary>
/// Turns texts into L2-normalised sentence vectors. Enrichment runs the model; the other
/// services call it over HTTP, or in-process when they share a host with it.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>Model id and version; vectors of different models must never be compared.</summary>
    string ModelId { get; }

    /// <summary>Embeds texts as queries (search text, pasted text, topics): what every caller outside Enrichment embeds.</summary>
    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);

    /// <summary>
    /// Embeds texts in a role: retrieval models put a different prefix before queries and before
    /// the documents (papers) they are compared with. An embedder without roles embeds both alike.
    /// </summary>
    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingRole role, CancellationToken cancellationToken) =>
        EmbedAsync(texts, cancellationToken);
}

/// <summary>What a text is to the model: something searched with, or something searched in.</summary>
public enum EmbeddingRole
{
    /// <summary>A search query, a pasted text to find papers like, a topic or a category description.</summary>
    Query,

    /// <summary>A stored paper (title and abstract).</summary>
    Document,
}
