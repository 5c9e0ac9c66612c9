using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Notifications.Data;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Notifications.Digests;

/// <summary>A paper chosen for a digest, and why: the topic that brought it and how strongly.</summary>
public record DigestEntry(CandidatePaper Paper, string Topic, double Score);

/// <summary>
/// Chooses a subscriber's papers: those that arrived since their last digest and were never sent
/// to them, scored against each followed topic — arXiv categories (<c>cs.CL</c>) by the paper's
/// tags, free-text topics by embedding similarity — best first.
/// </summary>
public sealed partial class DigestComposer(NotificationsDbContext db, ITextEmbedder embedder, IOptions<DigestOptions> options, TimeProvider clock)
{
    private readonly Dictionary<string, (string Model, float[] Vector)> _topicVectors = new(StringComparer.OrdinalIgnoreCase);

    public async Task<IReadOnlyList<DigestEntry>> ComposeAsync(Subscriber subscriber, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var since = subscriber.LastDigestAt == default ? clock.GetUtcNow().UtcDateTime - o.FirstDigestLookback : subscriber.LastDigestAt;
        var alreadySent = (await db.Deliveries.AsNoTracking().Where(d => d.SubscriberId == subscriber.Id).Select(d => d.PaperIds).ToListAsync(cancellationToken))
            .SelectMany(ids => ids).ToHashSet(StringComparer.Ordinal);
        var papers = (await db.Candidates.AsNoTracking().Where(c => c.ArrivedAt > since && c.Embedding != null).ToListAsync(cancellationToken))
            .Where(c => c.IsReady && !alreadySent.Contains(c.PaperId))
            .ToList();
        if (papers.Count == 0 || subscriber.Topics.Count == 0)
            return [];

        var freeText = subscriber.Topics.Where(t => !IsCategory(t)).ToList();
        await EnsureTopicVectorsAsync(freeText, cancellationToken);

        return papers
            .Select(p => subscriber.Topics.Select(t => new DigestEntry(p, t, Score(p, t))).MaxBy(e => e.Score)!)
            .Where(e => e.Score >= o.MinTopicSimilarity)
            .OrderByDescending(e => e.Score)
            .ThenBy(e => e.Paper.PaperId, StringComparer.Ordinal)
            .Take(o.MaxPapers)
            .ToList();
    }

    private double Score(CandidatePaper paper, string topic)
    {
        if (IsCategory(topic))
            return paper.Tags.FirstOrDefault(t => string.Equals(t.Topic, topic, StringComparison.OrdinalIgnoreCase))?.Score ?? 0;
        var (model, vector) = _topicVectors[topic];
        // Vectors of different models don't compare (a paper not yet re-enriched after a model change).
        return paper.Embedding is { } e && paper.EmbeddingModel == model && e.Length == vector.Length ? TensorPrimitives.Dot(e, vector) : 0;
    }

    private async Task EnsureTopicVectorsAsync(List<string> topics, CancellationToken cancellationToken)
    {
        var missing = topics.Where(t => !_topicVectors.ContainsKey(t)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (missing.Count == 0)
            return;
        var vectors = await embedder.EmbedAsync(missing, cancellationToken);
        for (var i = 0; i < missing.Count; i++)
            _topicVectors[missing[i]] = (embedder.ModelId, vectors[i]);
    }

    /// <summary>An arXiv category id such as <c>cs.CL</c>, <c>cond-mat.mes-hall</c> or <c>hep-th</c>; anything else is free text.</summary>
    public static bool IsCategory(string topic) => Category().IsMatch(topic);

    [GeneratedRegex(@"^([a-z]+(-[a-z]+)?\.[A-Za-z]{2}[a-z\-]*|hep-(th|ph|ex|lat)|gr-qc|quant-ph|nucl-(th|ex)|math-ph)$")]
    private static partial Regex Category();
}
