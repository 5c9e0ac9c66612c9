namespace Papers.Contracts;

/// <summary>
/// The Training service promoted a tagger model (after a retraining that beat the current one,
/// or a rollback): every Enrichment replica fetches it from Training and tags with it from then
/// on, without a restart, if it runs the same embedding model.
/// </summary>
/// <param name="ModelId">The promoted model in Training's registry; null when a rollback left no
/// trained model for this embedding model (replicas go back to the tagger built into their image).</param>
/// <param name="EmbeddingModel">The embedding model the tagger was trained on: a replica running another ignores it.</param>
/// <param name="Reason">Why (<c>retrained: top-1 0.82 over 0.78</c>, <c>rollback</c>), for logs.</param>
/// <param name="PromotedAt">When it was promoted.</param>
public record TaggerModelPromoted(Guid? ModelId, string EmbeddingModel, string Reason, DateTimeOffset PromotedAt);
