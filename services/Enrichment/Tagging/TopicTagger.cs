using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Papers.Contracts;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Tagging;

/// <summary>
/// Tags papers with arXiv categories and the configured custom topics. Categories come from the
/// <see cref="TaggerModel"/> the <see cref="TaggerModelHolder"/> holds now (built in, or the one
/// Training promoted; description similarity for categories it had no papers of); custom topics
/// from similarity to their description and example papers. Category tags are the model's
/// (calibrated: the primary's likely candidates, then any other above the threshold); custom
/// topics are shown above the same threshold; best first, at most <see cref="TaggerModel.MaxTags"/>.
/// </summary>
public sealed class TopicTagger : ITopicTagger
{
    /// <summary>Used only when no trained model fits the embeddings: σ(A·cos + B) of description similarity, and the threshold.</summary>
    private static readonly (double A, double B) FallbackCalibration = (18, -11);
    private const double FallbackThreshold = 0.5;
    private const int FallbackMaxTags = 5;

    private readonly ITextEmbedder _embedder;
    private readonly TaggerModelHolder _models;
    private readonly IReadOnlyList<CustomTopic> _topics;
    private readonly Dictionary<string, string> _names = ArxivTopics.Categories.ToDictionary(c => c.Id, c => c.Name, StringComparer.Ordinal);
    private readonly SemaphoreSlim _load = new(1, 1);
    private State? _state;

    public TopicTagger(ITextEmbedder embedder, TaggerModelHolder models, IOptions<CustomTopicsOptions> topics, ILogger<TopicTagger> logger)
        : this(embedder, models, topics.Value, logger)
    {
    }

    /// <summary>A tagger that keeps one model (the lab's commands, tests): nothing to fetch, nothing swapped in.</summary>
    internal TopicTagger(ITextEmbedder embedder, TaggerModel? model, CustomTopicsOptions topics, ILogger logger)
        : this(embedder, new TaggerModelHolder(embedder, new NoTaggerModelSource(), model, logger), topics, logger)
    {
    }

    internal TopicTagger(ITextEmbedder embedder, TaggerModelHolder models, CustomTopicsOptions topics, ILogger logger)
    {
        topics.Validate();
        _embedder = embedder;
        _models = models;
        _topics = topics.Topics;
        if (models.Current is { } model)
            logger.LogInformation("Topic tagger: {Categories} arXiv categories ({Trained} learned from papers), {Custom} custom topics, threshold {Threshold}",
                model.Classes.Count, model.Classifier.Active.Length, _topics.Count, model.Threshold);
    }

    public async Task<IReadOnlyList<TaggingResult>> TagAsync(IReadOnlyList<float[]> embeddings, CancellationToken cancellationToken)
    {
        var state = await StateAsync(cancellationToken);
        return embeddings.Select(e => Tag(e, state)).ToList();
    }

    private TaggingResult Tag(float[] embedding, State state)
    {
        var model = state.Model;
        var threshold = model?.Threshold ?? FallbackThreshold;
        var maxTags = model?.MaxTags ?? FallbackMaxTags;
        var tags = new List<TopicTag>();
        string? primary;
        if (model is not null)
        {
            var probabilities = model.Probabilities(embedding);
            var prediction = model.Classifier.Predict(probabilities);
            primary = prediction.Ranked[0];
            foreach (var category in prediction.Tags)
                tags.Add(Tag(category, model.TagScore(probabilities[model.Classifier.IndexOf(category)])));
        }
        else
        {
            var sims = state.Descriptions!.Select(d => TensorPrimitives.Dot(embedding, d)).ToArray();
            var ranked = Enumerable.Range(0, sims.Length).OrderByDescending(c => sims[c]).ToList();
            primary = Categories.Predictable[ranked[0]].Id;
            foreach (var c in ranked.Take(maxTags).Where(c => Score(FallbackCalibration, sims[c]) >= threshold))
                tags.Add(Tag(Categories.Predictable[c].Id, Score(FallbackCalibration, sims[c])));
        }
        foreach (var (topic, prototype, calibration) in state.Custom)
        {
            var score = Score(calibration, TensorPrimitives.Dot(embedding, prototype));
            if (score >= threshold)
                tags.Add(new TopicTag(topic.EffectiveId, topic.Name, Math.Round(score, 4)));
        }
        return new TaggingResult(tags.OrderByDescending(t => t.Score).ThenBy(t => t.Topic, StringComparer.Ordinal).Take(maxTags).ToList(), primary);
    }

    private TopicTag Tag(string category, double score) => new(category, _names.GetValueOrDefault(category, category), Math.Round(score, 4));

    private static double Score((double A, double B) calibration, double cosine) => 1 / (1 + Math.Exp(-(calibration.A * cosine + calibration.B)));

    /// <summary>Embeds the custom topics (and, without a model, the category descriptions) once for each model tagged with.</summary>
    private async Task<State> StateAsync(CancellationToken cancellationToken)
    {
        var model = _models.Current;
        if (_state is { } ready && ready.Model == model)
            return ready;
        await _load.WaitAsync(cancellationToken);
        try
        {
            if (_state is { } other && other.Model == model)
                return other;
            float[][]? descriptions = null;
            if (model is null)
                descriptions = await _embedder.EmbedAsync(Categories.Predictable.Select(c => c.DescriptionText).ToList(), cancellationToken);
            var described = model?.DescriptionTopic ?? FallbackCalibration;
            var custom = new List<(CustomTopic, float[], (double, double))>();
            foreach (var topic in _topics)
            {
                // The description is compared with papers as a query is; the examples are papers.
                var description = (await _embedder.EmbedAsync([topic.DescriptionText], cancellationToken))[0];
                var examples = topic.Examples.Count > 0 ? await _embedder.EmbedAsync(topic.Examples, EmbeddingRole.Document, cancellationToken) : [];
                var calibration = topic.Examples.Count > 0 ? model?.ExampleTopic ?? described : described;
                custom.Add((topic, Prototype(description, examples), calibration));
            }
            return _state = new State(model, descriptions, custom);
        }
        finally
        {
            _load.Release();
        }
    }

    /// <summary>A custom topic's vector: its description's embedding plus its examples', normalised.</summary>
    internal static float[] Prototype(float[] description, IEnumerable<float[]> examples)
    {
        var sum = (float[])description.Clone();
        foreach (var e in examples)
            TensorPrimitives.Add(sum, e, sum);
        TensorPrimitives.Divide(sum, TensorPrimitives.Norm(sum), sum);
        return sum;
    }

    private sealed record State(TaggerModel? Model, float[][]? Descriptions, List<(CustomTopic Topic, float[] Prototype, (double A, double B) Calibration)> Custom);
}
