using Microsoft.Extensions.Options;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Tagging;

/// <summary>
/// The tagger model this replica tags with, swapped without a restart when Training promotes
/// another: the built-in one (or <c>Tagging:ModelPath</c>'s) until a promoted model is fetched,
/// and again when a rollback leaves none. A model trained on another embedding model than this
/// replica runs is never used: it is refused (and logged), and the current one kept.
/// </summary>
public sealed class TaggerModelHolder
{
    private readonly ITextEmbedder _embedder;
    private readonly ITaggerModelSource _source;
    private readonly ILogger _logger;
    private readonly TaggerModel? _builtIn;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Held _current;

    public TaggerModelHolder(ITextEmbedder embedder, ITaggerModelSource source, IOptions<TaggerOptions> options, ILogger<TaggerModelHolder> logger)
        : this(embedder, source, TaggerModel.LoadFileOrEmbedded(options.Value.ModelPath), logger)
    {
    }

    internal TaggerModelHolder(ITextEmbedder embedder, ITaggerModelSource source, TaggerModel? builtIn, ILogger logger)
    {
        _embedder = embedder;
        _source = source;
        _logger = logger;
        if (builtIn is null)
            logger.LogWarning("No trained tagger model is embedded or configured; tagging arXiv categories by description similarity only (weak) until Training promotes one");
        else if (builtIn.EmbeddingModel != embedder.ModelId)
            logger.LogWarning("The built-in tagger model was trained on {Trained} embeddings but this service makes {Current}; tagging arXiv categories by description similarity only (weak) until Training promotes a model for {Current} (or `train` is rerun and its output named by Tagging:ModelPath)",
                builtIn.EmbeddingModel, embedder.ModelId, embedder.ModelId);
        _builtIn = builtIn is not null && builtIn.EmbeddingModel == embedder.ModelId ? builtIn : null;
        _current = new Held(_builtIn, null);
    }

    /// <summary>The model to tag with; null when none fits this replica's embeddings (descriptions only).</summary>
    public TaggerModel? Current => _current.Model;

    /// <summary>The registry id of the model tagged with now (as <c>TaggerModelPromoted.ModelId</c>); null for the built-in one.</summary>
    public Guid? CurrentId => _current.Id;

    /// <summary>
    /// Tags with the model held now and says which one that was: tagged again if a promotion
    /// swapped the model meanwhile, so tags are never credited to a model that did not make them.
    /// </summary>
    public async Task<(IReadOnlyList<TaggingResult> Tags, Guid? ModelId)> TagAsync(ITopicTagger tagger, IReadOnlyList<float[]> embeddings, CancellationToken cancellationToken)
    {
        while (true)
        {
            var held = _current;
            var tags = await tagger.TagAsync(embeddings, cancellationToken);
            if (ReferenceEquals(held, _current))
                return (tags, held.Id);
        }
    }

    /// <summary>
    /// Fetches the promoted model and tags with it from now on; with none promoted, goes back to
    /// the built-in one. Keeps the current model (and says why) when the source can't be reached
    /// or offers a model for another embedding model.
    /// </summary>
    /// <returns>Whether the model changed.</returns>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            PromotedTaggerModel? promoted;
            try
            {
                promoted = await _source.FetchAsync(_embedder.ModelId, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning(ex, "The promoted tagger model could not be fetched from Training; tagging with the current one");
                return false;
            }
            if (promoted is not null && promoted.Model.EmbeddingModel != _embedder.ModelId)
            {
                _logger.LogWarning("Refused the promoted tagger model: it was trained on {Trained} embeddings but this replica makes {Current}; tagging with the current one",
                    promoted.Model.EmbeddingModel, _embedder.ModelId);
                return false;
            }
            var next = promoted?.Model ?? _builtIn;
            var current = _current;
            if (promoted?.Id == current.Id && (next is not null && current.Model is not null && next.Fingerprint == current.Model.Fingerprint || next is null && current.Model is null))
                return false;
            _current = new Held(next, promoted?.Id);
            _logger.LogInformation("Tagging with {Model} from now on ({Categories} categories learned from papers)",
                promoted is null ? "the built-in tagger model" : $"the tagger model Training promoted ({promoted.Id}, {promoted.Model.Fingerprint})", next?.Classifier.Active.Length ?? 0);
            return true;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>One immutable pair, swapped as a whole, so a reader never sees one model with another's id.</summary>
    private sealed record Held(TaggerModel? Model, Guid? Id);
}
