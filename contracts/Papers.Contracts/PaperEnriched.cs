namespace Papers.Contracts;

/// <summary>Enrichment computed an embedding, topic tags and keywords for one paper version.</summary>
/// <param name="PaperId">The paper's stable id.</param>
/// <param name="Version">The version that was enriched.</param>
/// <param name="ContentHash">The <see cref="PaperIngested.ContentHash"/> the enrichment is for; stale results are ignored by it.</param>
/// <param name="Embedding">L2-normalised sentence embedding of title + abstract.</param>
/// <param name="EmbeddingModel">Model id and version, e.g. <c>all-MiniLM-L6-v2/onnx@24.9.52193</c>: vectors of different models never mix.</param>
/// <param name="Tags">Topic tags ranked by score, best first.</param>
/// <param name="PredictedPrimaryCategory">The arXiv category the tagger thinks is primary.</param>
/// <param name="Keywords">Up to 6 keyphrases (3–6 for an abstract of a few sentences), most representative first.</param>
/// <param name="EnrichedAt">When it was computed.</param>
/// <param name="TaggerModelId">The tagger model Training promoted that made <paramref name="Tags"/> (added later, optional;
/// null: the tagger built into Enrichment, or an event from before the field).</param>
public record PaperEnriched(
    string PaperId,
    int Version,
    string ContentHash,
    float[] Embedding,
    string EmbeddingModel,
    IReadOnlyList<TopicTag> Tags,
    string? PredictedPrimaryCategory,
    IReadOnlyList<string> Keywords,
    DateTimeOffset EnrichedAt,
    Guid? TaggerModelId = null);
