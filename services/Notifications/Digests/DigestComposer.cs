using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Domain;
using Papers.Notifications.Data;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Notifications.Digests;

/// <summary>
/// Prepares a <see cref="DigestSelector"/> for a set of subscribers from the database: the papers
/// that arrived in the longest lookback among them, the vectors of their free-text topics (one
/// embedding call for all), of their defined topics (description, examples) and of their seed
/// papers; and what was already sent to each, which is never sent again.
/// </summary>
public sealed class DigestComposer(NotificationsDbContext db, ITextEmbedder embedder, LibraryDigests library, IOptions<DigestOptions> options, TimeProvider clock)
{
    public DateTime Since(Subscriber s)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = s.LastDigestAt == default ? now - options.Value.FirstDigestLookback : s.LastDigestAt;
        return since < now - options.Value.MaxLookback ? now - options.Value.MaxLookback : since;
    }

    /// <summary>A free-text topic means the same for everyone; a defined one is the subscriber's own.</summary>
    public static string TopicKey(Subscriber subscriber, string topic) =>
        Definition(subscriber, topic) is null ? topic : $"{subscriber.Id}/{topic}";

    public async Task<DigestSelector> PrepareAsync(IReadOnlyCollection<Subscriber> subscribers, CancellationToken cancellationToken)
    {
        var from = subscribers.Count == 0 ? clock.GetUtcNow().UtcDateTime : subscribers.Min(Since);
        var papers = await db.Candidates.AsNoTracking().Where(c => c.ArrivedAt > from && c.Embedding != null && c.Title != null).ToListAsync(cancellationToken);
        var selector = new DigestSelector(papers, options.Value);
        if (selector.Papers == 0)
            return selector;

        var freeText = subscribers.Where(s => s.Kind == DigestKind.Personal)
            .SelectMany(s => s.Topics.Where(t => !ArxivTaxonomy.IsCategory(t) && Definition(s, t) is null))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (freeText.Count > 0)
        {
            var vectors = await embedder.EmbedAsync(freeText, cancellationToken);
            for (var i = 0; i < freeText.Count; i++)
                selector.AddTopicVector(freeText[i], embedder.ModelId, vectors[i]);
        }
        foreach (var s in subscribers.Where(s => s.Kind == DigestKind.Personal))
            foreach (var definition in s.TopicDefinitions)
            {
                var (model, vector) = await DefinedTopicVectorAsync(definition, cancellationToken);
                selector.AddTopicVector(TopicKey(s, definition.Name), model, vector);
            }
        var seeds = subscribers.Where(s => s.Kind == DigestKind.Personal).SelectMany(s => s.Seeds).Distinct().ToList();
        if (seeds.Count > 0)
            foreach (var seed in await db.Candidates.AsNoTracking().Where(c => seeds.Contains(c.PaperId) && c.Embedding != null)
                         .Select(c => new { c.PaperId, c.Title, c.EmbeddingModel, c.Embedding }).ToListAsync(cancellationToken))
                selector.AddSeed(seed.PaperId, seed.Title ?? seed.PaperId, seed.EmbeddingModel!, seed.Embedding!);
        return selector;
    }

    /// <summary>Papers already in a digest of each subscriber (sent, or claimed and about to be), and the subscriber's own seeds and examples: not news to them.</summary>
    public async Task<Dictionary<Guid, HashSet<string>>> KnownPapersAsync(IReadOnlyCollection<Subscriber> subscribers, CancellationToken cancellationToken)
    {
        var ids = subscribers.Select(s => s.Id).ToList();
        var sent = await db.Deliveries.AsNoTracking().Where(d => ids.Contains(d.SubscriberId) && d.State != DeliveryState.Empty)
            .Select(d => new { d.SubscriberId, d.PaperIds }).ToListAsync(cancellationToken);
        var bySubscriber = sent.ToLookup(d => d.SubscriberId, d => d.PaperIds);
        return subscribers.ToDictionary(s => s.Id, s => bySubscriber[s.Id].SelectMany(p => p)
            .Concat(s.Seeds).Concat(s.TopicDefinitions.SelectMany(d => d.Examples).Where(PaperIds.IsPaperId)).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>
    /// The digests of <paramref name="subscribers"/>: from their profile or the trending list (<paramref name="selector"/>),
    /// or from their library ("for you"). Null for a digest that can't be chosen now (the Api's library is out of reach).
    /// </summary>
    public async Task<IReadOnlyList<DigestEntry>?[]> ChooseAsync(DigestSelector selector, IReadOnlyList<Subscriber> subscribers,
        Dictionary<Guid, HashSet<string>> known, CancellationToken cancellationToken)
    {
        var chosen = selector.SelectAll(subscribers, Since, s => known[s.Id], TopicKey);
        var fromLibraries = await library.ChooseAsync(subscribers, Since, s => known[s.Id], cancellationToken);
        return [.. subscribers.Select((s, i) => fromLibraries.TryGetValue(s.Id, out var entries) ? entries : chosen[i])];
    }

    /// <summary>The digest a single subscriber would get now (the preview); empty when it can't be chosen now.</summary>
    public async Task<IReadOnlyList<DigestEntry>> ComposeAsync(Subscriber subscriber, CancellationToken cancellationToken)
    {
        var selector = await PrepareAsync([subscriber], cancellationToken);
        var known = await KnownPapersAsync([subscriber], cancellationToken);
        return (await ChooseAsync(selector, [subscriber], known, cancellationToken))[0] ?? [];
    }

    private static SubscriberTopic? Definition(Subscriber subscriber, string topic) =>
        subscriber.TopicDefinitions.FirstOrDefault(d => string.Equals(d.Name, topic, StringComparison.OrdinalIgnoreCase));

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
            System.Numerics.Tensors.TensorPrimitives.Add(sum, v, sum);
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(sum);
        if (norm > 0)
            System.Numerics.Tensors.TensorPrimitives.Divide(sum, norm, sum);
        return (model, sum);
    }
}
