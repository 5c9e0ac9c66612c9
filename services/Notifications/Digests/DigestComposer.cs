using System.Numerics.Tensors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Domain;
using Papers.Notifications.Data;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Notifications.Digests;

/// <summary>A paper chosen for a digest, and why: the topic that brought it and how strongly.</summary>
public record DigestEntry(CandidatePaper Paper, string Topic, double Score);

/// <summary>
/// Chooses a subscriber's papers: those that arrived since their last digest and were never sent
/// to them, scored against each followed topic — arXiv categories (<c>cs.CL</c>) by the paper's
/// tags, free-text topics by embedding similarity, topics the subscriber defined by similarity
/// to the sum of their description's and example papers' embeddings — best first.
/// </summary>
public sealed class DigestComposer(NotificationsDbContext db, ITextEmbedder embedder, IOptions<DigestOptions> options, TimeProvider clock)
{
    /// <summary>Topic vectors by key (the topic, or subscriber and topic for defined ones), with the model that made each.</summary>
    private readonly Dictionary<string, (string Model, float[] Vector)> _topicVectors = new(StringComparer.OrdinalIgnoreCase);

    public async Task<IReadOnlyList<DigestEntry>> ComposeAsync(Subscriber subscriber, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var since = subscriber.LastDigestAt == default ? clock.GetUtcNow().UtcDateTime - o.FirstDigestLookback : subscriber.LastDigestAt;
        var alreadySent = (await db.Deliveries.AsNoTracking().Where(d => d.SubscriberId == subscriber.Id).Select(d => d.PaperIds).ToListAsync(cancellationToken))
            .SelectMany(ids => ids).ToHashSet(StringComparer.Ordinal);
        // The subscriber's own example papers are known to them: not news.
        alreadySent.UnionWith(subscriber.TopicDefinitions.SelectMany(d => d.Examples).Where(PaperIds.IsPaperId));
        var papers = (await db.Candidates.AsNoTracking().Where(c => c.ArrivedAt > since && c.Embedding != null).ToListAsync(cancellationToken))
            .Where(c => c.IsReady && !alreadySent.Contains(c.PaperId))
            .ToList();
        if (papers.Count == 0 || subscriber.Topics.Count == 0)
            return [];

        var keys = subscriber.Topics.ToDictionary(t => t, t => Key(subscriber, t), StringComparer.OrdinalIgnoreCase);
        await EnsureTopicVectorsAsync(subscriber.Topics.Where(t => !ArxivTaxonomy.IsCategory(t) && Definition(subscriber, t) is null).ToList(), cancellationToken);
        foreach (var definition in subscriber.TopicDefinitions)
            if (!_topicVectors.ContainsKey(Key(subscriber, definition.Name)))
                _topicVectors[Key(subscriber, definition.Name)] = await DefinedTopicVectorAsync(definition, cancellationToken);

        return papers
            .Select(p => subscriber.Topics.Select(t => new DigestEntry(p, t, Score(p, t, keys[t]))).MaxBy(e => e.Score)!)
            .Where(e => e.Score >= o.MinTopicSimilarity)
            .OrderByDescending(e => e.Score)
            .ThenBy(e => e.Paper.PaperId, StringComparer.Ordinal)
            .Take(o.MaxPapers)
            .ToList();
    }

    private double Score(CandidatePaper paper, string topic, string key)
    {
        if (ArxivTaxonomy.IsCategory(topic))
            return paper.Tags.FirstOrDefault(t => string.Equals(t.Topic, topic, StringComparison.OrdinalIgnoreCase))?.Score ?? 0;
        var (model, vector) = _topicVectors[key];
        // Vectors of different models don't compare (a paper not yet re-enriched after a model change).
        return paper.Embedding is { } e && paper.EmbeddingModel == model && e.Length == vector.Length ? TensorPrimitives.Dot(e, vector) : 0;
    }

    private static SubscriberTopic? Definition(Subscriber subscriber, string topic) =>
        subscriber.TopicDefinitions.FirstOrDefault(d => string.Equals(d.Name, topic, StringComparison.OrdinalIgnoreCase));

    /// <summary>A free-text topic means the same for everyone; a defined one is the subscriber's own.</summary>
    private static string Key(Subscriber subscriber, string topic) =>
        Definition(subscriber, topic) is null ? topic : $"{subscriber.Id}/{topic}";

    private async Task EnsureTopicVectorsAsync(List<string> topics, CancellationToken cancellationToken)
    {
        var missing = topics.Where(t => !_topicVectors.ContainsKey(t)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (missing.Count == 0)
            return;
        var vectors = await embedder.EmbedAsync(missing, cancellationToken);
        for (var i = 0; i < missing.Count; i++)
            _topicVectors[missing[i]] = (embedder.ModelId, vectors[i]);
    }

    /// <summary>
    /// The normalised sum of the embeddings of the topic's name and description, its examples given
    /// as text, and its example papers (those embedded by the same model).
    /// </summary>
    private async Task<(string Model, float[] Vector)> DefinedTopicVectorAsync(SubscriberTopic topic, CancellationToken cancellationToken)
    {
        var ids = topic.Examples.Where(PaperIds.IsPaperId).ToList();
        List<string> texts = [string.IsNullOrWhiteSpace(topic.Description) ? topic.Name : $"{topic.Name}. {topic.Description}",
            .. topic.Examples.Where(e => !PaperIds.IsPaperId(e))];
        var vectors = await embedder.EmbedAsync(texts, cancellationToken);
        var model = embedder.ModelId;
        var papers = await db.Candidates.AsNoTracking().Where(c => ids.Contains(c.PaperId) && c.EmbeddingModel == model && c.Embedding != null)
            .Select(c => c.Embedding!).ToListAsync(cancellationToken);
        var sum = new float[vectors[0].Length];
        foreach (var v in vectors.Concat(papers).Where(v => v.Length == sum.Length))
            TensorPrimitives.Add(sum, v, sum);
        var norm = TensorPrimitives.Norm(sum);
        if (norm > 0)
            TensorPrimitives.Divide(sum, norm, sum);
        return (model, sum);
    }
}
