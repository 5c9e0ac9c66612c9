using Papers.Contracts;

namespace Papers.Enrichment.Tagging;

/// <summary>Tags for one paper, best first, and the arXiv category predicted as its primary.</summary>
public record TaggingResult(IReadOnlyList<TopicTag> Tags, string? PredictedPrimaryCategory);

public interface ITopicTagger
{
    /// <summary>Tags papers from their embeddings (L2-normalised).</summary>
    Task<IReadOnlyList<TaggingResult>> TagAsync(IReadOnlyList<float[]> embeddings, CancellationToken cancellationToken);
}
