namespace Papers.Contracts;

/// <summary>
/// Command to Enrichment: tag a stored paper again with the tagger model Training promoted,
/// answered with a <see cref="PaperRetagged"/>. The Api sends it after a promotion (or rollback)
/// for each paper whose tags were predicted (it has no categories from arXiv) by another tagger
/// model. It carries the paper's stored vector, so nothing is embedded again. A replica that does
/// not tag with <paramref name="TaggerModelId"/> (a newer promotion superseded it) ignores it.
/// </summary>
/// <param name="PaperId">The paper's stable id.</param>
/// <param name="Version">The version whose vector this is.</param>
/// <param name="ContentHash">The content hash of that version, echoed in <see cref="PaperRetagged.ContentHash"/>.</param>
/// <param name="EmbeddingModel">The model that made <paramref name="Embedding"/>; a replica running another ignores the command.</param>
/// <param name="Embedding">The stored vector (as in <see cref="PaperEnriched.Embedding"/>).</param>
/// <param name="TaggerModelId">The promoted tagger model to tag with (as in <see cref="TaggerModelPromoted.ModelId"/>; null: the built-in one).</param>
/// <param name="Reason">Why, for logs (<c>tagger model 1f0c… → 9a2e…</c>).</param>
/// <param name="RequestedAt">When.</param>
public record RetagPaper(
    string PaperId,
    int Version,
    string ContentHash,
    string EmbeddingModel,
    float[] Embedding,
    Guid? TaggerModelId,
    string Reason,
    DateTimeOffset RequestedAt);
