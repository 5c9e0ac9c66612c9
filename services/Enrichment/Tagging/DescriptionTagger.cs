using System.Numerics.Tensors;
using Papers.Contracts;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Tagging;

/// <summary>
/// Tags a paper with the topics whose descriptions its embedding is nearest to. Weak on its own
/// (DESIGN.md: about one cs paper in seven right), so only a fallback for topics without examples.
/// </summary>
public sealed class DescriptionTagger(ITextEmbedder embedder) : ITopicTagger
{
    private const int MaxTags = 3;
    private const double MinScore = 0.2;
    private readonly SemaphoreSlim _load = new(1, 1);
    private (Topic Topic, float[] Vector)[]? _topics;

    public async Task<IReadOnlyList<TaggingResult>> TagAsync(IReadOnlyList<float[]> embeddings, CancellationToken cancellationToken)
    {
        var topics = await TopicVectorsAsync(cancellationToken);
        return embeddings.Select(e =>
        {
            var ranked = topics
                .Select(t => (t.Topic, Score: (double)TensorPrimitives.Dot(e, t.Vector)))
                .OrderByDescending(t => t.Score)
                .ToList();
            var tags = ranked.Take(MaxTags).Where(t => t.Score >= MinScore)
                .Select(t => new TopicTag(t.Topic.Id, t.Topic.Name, Math.Round(Math.Clamp(t.Score, 0, 1), 4)))
                .ToList();
            return new TaggingResult(tags, ranked[0].Topic.Id);
        }).ToList();
    }

    private async Task<(Topic Topic, float[] Vector)[]> TopicVectorsAsync(CancellationToken cancellationToken)
    {
        if (_topics is { } ready)
            return ready;
        await _load.WaitAsync(cancellationToken);
        try
        {
            if (_topics is null)
            {
                var categories = ArxivTaxonomy.Categories;
                var vectors = await embedder.EmbedAsync(categories.Select(c => c.DescriptionText).ToList(), cancellationToken);
                _topics = categories.Zip(vectors).ToArray();
            }
            return _topics;
        }
        finally
        {
            _load.Release();
        }
    }
}
