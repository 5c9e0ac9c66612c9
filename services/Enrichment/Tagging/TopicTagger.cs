using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Papers.Contracts;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Tagging;

/// <summary>
/// Tags papers with arXiv categories and the configured custom topics. Categories come from the
/// shipped <see cref="TaggerModel"/> (trained on labelled papers; description similarity for
/// categories it had no papers of); custom topics from similarity to their description and
/// example papers. All scores are calibrated probabilities that the tag applies, so one
/// threshold serves both: tags are those above it, best first, at most <see cref="TaggerModel.MaxTags"/>.
/// </summary>
public sealed class TopicTagger : ITopicTagger
{
    /// <summary>Used only when no trained model fits the embeddings: σ(A·cos + B) of description similarity, and the threshold.</summary>
    private static readonly (double A, double B) FallbackCalibration = (18, -11);
    private const double FallbackThreshold = 0.5;
    private const int FallbackMaxTags = 5;

    private readonly ITextEmbedder _embedder;
    private readonly TaggerModel? _model;
    private readonly IReadOnlyList<CustomTopic> _topics;
    private readonly Dictionary<string, string> _names = ArxivTopics.Categories.ToDictionary(c => c.Id, c => c.Name, StringComparer.Ordinal);
    private readonly SemaphoreSlim _load = new(1, 1);
    private State? _state;

    public TopicTagger(ITextEmbedder embedder, IOptions<CustomTopicsOptions> topics, IOptions<TaggerOptions> options, ILogger<TopicTagger> logger)
        : this(embedder, TaggerModel.LoadFileOrEmbedded(options.Value.ModelPath), topics.Value, logger)
    {
    }

    internal TopicTagger(ITextEmbedder embedder, TaggerModel? model, CustomTopicsOptions topics, ILogger logger)
    {
        topics.Validate();
        _embedder = embedder;
        _topics = topics.Topics;
        if (model is null)
            logger.LogWarning("No trained tagger model is embedded or configured; tagging arXiv categories by description similarity only (weak). Run `train` of tools/Enrichment.Lab and rebuild");
        else if (model.EmbeddingModel != embedder.ModelId)
            logger.LogWarning("The tagger model was trained on {Trained} embeddings but this service makes {Current}; tagging arXiv categories by description similarity only (weak) until `train` is rerun with this model and its output named by Tagging:ModelPath",
                model.EmbeddingModel, embedder.ModelId);
        _model = model is not null && model.EmbeddingModel == embedder.ModelId ? model : null;
        if (_model is not null)
            logger.LogInformation("Topic tagger: {Categories} arXiv categories ({Trained} learned from papers), {Custom} custom topics, threshold {Threshold}",
                _model.Classes.Count, _model.Classifier.Active.Length, _topics.Count, _model.Threshold);
        _calibration = model is null ? FallbackCalibration : model.DescriptionTopic;
    }

    private readonly (double A, double B) _calibration;

    private double Threshold => _model?.Threshold ?? FallbackThreshold;

    private int MaxTags => _model?.MaxTags ?? FallbackMaxTags;

    public async Task<IReadOnlyList<TaggingResult>> TagAsync(IReadOnlyList<float[]> embeddings, CancellationToken cancellationToken)
    {
        var state = await StateAsync(cancellationToken);
        return embeddings.Select(e => Tag(e, state)).ToList();
    }

    private TaggingResult Tag(float[] embedding, State state)
    {
        var tags = new List<TopicTag>();
        string? primary;
        if (_model is not null)
        {
            var probabilities = _model.Probabilities(embedding);
            var ranked = Enumerable.Range(0, probabilities.Length).OrderByDescending(c => probabilities[c]).ToList();
            primary = _model.Classes[ranked[0]];
            foreach (var c in ranked.Take(MaxTags))
                Add(tags, _model.Classes[c], _model.TagScore(probabilities[c]));
        }
        else
        {
            var sims = state.Descriptions!.Select(d => TensorPrimitives.Dot(embedding, d)).ToArray();
            var ranked = Enumerable.Range(0, sims.Length).OrderByDescending(c => sims[c]).ToList();
            primary = Categories.Predictable[ranked[0]].Id;
            foreach (var c in ranked.Take(MaxTags))
                Add(tags, Categories.Predictable[c].Id, Score(_calibration, sims[c]));
        }
        foreach (var (topic, prototype, calibration) in state.Custom)
        {
            var score = Score(calibration, TensorPrimitives.Dot(embedding, prototype));
            if (score >= Threshold)
                tags.Add(new TopicTag(topic.EffectiveId, topic.Name, Math.Round(score, 4)));
        }
        return new TaggingResult(tags.OrderByDescending(t => t.Score).ThenBy(t => t.Topic, StringComparer.Ordinal).Take(MaxTags).ToList(), primary);
    }

    private void Add(List<TopicTag> tags, string category, double score)
    {
        if (score >= Threshold)
            tags.Add(new TopicTag(category, _names.GetValueOrDefault(category, category), Math.Round(score, 4)));
    }

    private static double Score((double A, double B) calibration, double cosine) => 1 / (1 + Math.Exp(-(calibration.A * cosine + calibration.B)));

    /// <summary>Embeds the custom topics (and, without a model, the category descriptions) once, on first use.</summary>
    private async Task<State> StateAsync(CancellationToken cancellationToken)
    {
        if (_state is { } ready)
            return ready;
        await _load.WaitAsync(cancellationToken);
        try
        {
            if (_state is not null)
                return _state;
            float[][]? descriptions = null;
            if (_model is null)
                descriptions = await _embedder.EmbedAsync(Categories.Predictable.Select(c => c.DescriptionText).ToList(), cancellationToken);
            var custom = new List<(CustomTopic, float[], (double, double))>();
            foreach (var topic in _topics)
            {
                // The description is compared with papers as a query is; the examples are papers.
                var description = (await _embedder.EmbedAsync([topic.DescriptionText], cancellationToken))[0];
                var examples = topic.Examples.Count > 0 ? await _embedder.EmbedAsync(topic.Examples, EmbeddingRole.Document, cancellationToken) : [];
                var calibration = topic.Examples.Count > 0 ? _model?.ExampleTopic ?? _calibration : _calibration;
                custom.Add((topic, Prototype(description, examples), calibration));
            }
            return _state = new State(descriptions, custom);
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

    private sealed record State(float[][]? Descriptions, List<(CustomTopic Topic, float[] Prototype, (double A, double B) Calibration)> Custom);
}
