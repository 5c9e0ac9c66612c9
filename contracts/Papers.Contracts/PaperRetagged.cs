namespace Papers.Contracts;

/// <summary>Enrichment tagged a stored paper again (<see cref="RetagPaper"/>) with the tagger model Training promoted.</summary>
/// <param name="PaperId">The paper's stable id.</param>
/// <param name="Version">The version that was tagged.</param>
/// <param name="ContentHash">The content hash of that version; tags for other content are ignored.</param>
/// <param name="EmbeddingModel">The model that made the vector the tags come from.</param>
/// <param name="TaggerModelId">The tagger model that tagged it (as in <see cref="TaggerModelPromoted.ModelId"/>; null: the built-in one).</param>
/// <param name="Tags">Topic tags ranked by score, best first.</param>
/// <param name="PredictedPrimaryCategory">The arXiv category the tagger thinks is primary.</param>
/// <param name="RetaggedAt">When it was computed.</param>
public record PaperRetagged(
    string PaperId,
    int Version,
    string ContentHash,
    string EmbeddingModel,
    Guid? TaggerModelId,
    IReadOnlyList<TopicTag> Tags,
    string? PredictedPrimaryCategory,
    DateTimeOffset RetaggedAt);
