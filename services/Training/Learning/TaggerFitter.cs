using System.Numerics.Tensors;
using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;

namespace Papers.Training.Learning;

/// <summary>A labelled paper with its embedding and the day it was listed.</summary>
public sealed record TrainingExample(LabelledPaper Paper, float[] Vector, DateOnly ListedOn);

/// <summary>A candidate: the model judged on the held-out days, how it did there, and the same recipe refitted on every example.</summary>
/// <param name="Validated">Fitted on the older examples only: the one judged (and compared) on <see cref="TimeSplit.Validation"/>.</param>
/// <param name="Final">Fitted on all of them, the held-out days too: what is stored, and served once promoted.</param>
/// <param name="BaseExamples">Examples of the base set (the shipped training papers) fitted on besides the harvest's.</param>
internal sealed record FittedModel(TaggerModel Validated, TaggerModel Final, TimeSplit Split, ModelEvaluation Validation, int BaseExamples);

/// <summary>
/// The retraining recipe, the same for the Training service and the lab's <c>timesplit</c>
/// command: hold out the newest listing days of the harvest, fit a <see cref="CategoryTrainer"/>
/// on the older harvested examples plus the base set (papers the harvest also has are taken from
/// the harvest), judge the model on the held-out days, then refit the same recipe on every
/// example: the newest days are the closest to the papers it will tag, too valuable to leave out
/// of the model that serves.
/// </summary>
internal sealed class TaggerFitter
{
    /// <summary>Tags shown per paper at most: arXiv papers have ~2 categories, and people read the first three.</summary>
    public const int MaxTags = 3;

    /// <summary>How often the primary should be among the tags shown (out of fold, when fitting): when the model can't promise it, it shows <see cref="MaxTags"/>.</summary>
    public const double PrimaryShownGoal = 0.93;

    public int ValidationDays { get; init; } = 7;

    public double HoldOutShare { get; init; } = 0.2;

    public int Seed { get; init; } = 1;

    /// <summary>Refit on every example once judged (the service); off where only the judgement is wanted (the lab's <c>timesplit</c>).</summary>
    public bool RefitOnAll { get; init; } = true;

    /// <summary>The trainer's knobs (class balance, L2, …); its seed, folds, tag count and coverage goal are the recipe's.</summary>
    public CategoryTrainer Trainer { get; init; } = new();

    /// <param name="split">Which harvested examples to fit on and which to judge on; null holds out the newest days (<see cref="TimeSplit.Newest"/>).</param>
    public FittedModel Fit(string embeddingModel, IReadOnlyList<TrainingExample> harvest, IReadOnlyList<TrainingExample> baseSet, float[][] descriptions, TextWriter? log = null, TimeSplit? split = null)
    {
        split ??= TimeSplit.Newest(harvest.Select(e => e.ListedOn).ToList(), ValidationDays, HoldOutShare);
        var harvested = harvest.Select(e => e.Paper.Id).ToHashSet(StringComparer.Ordinal);
        var extra = baseSet.Where(e => !harvested.Contains(e.Paper.Id)).ToList();
        var training = split.Train.Select(i => harvest[i]).Concat(extra).ToList();
        log?.WriteLine($"  {split.Rule}: fitting on {split.Train.Count} harvested + {extra.Count} base examples, validating on {split.Validation.Count}");
        var model = FitModel(embeddingModel, training, descriptions, log);
        var validation = split.Validation.Select(i => harvest[i]).ToList();
        var evaluation = ModelEvaluation.Of(model, validation);
        var final = RefitOnAll ? FitModel(embeddingModel, [.. harvest, .. extra], descriptions, log) : model;
        return new FittedModel(model, final, split, evaluation, extra.Count);
    }

    /// <summary>Fits the classifier and the custom-topic calibration on all of <paramref name="examples"/>.</summary>
    public TaggerModel FitModel(string embeddingModel, IReadOnlyList<TrainingExample> examples, float[][] descriptions, TextWriter? log = null)
    {
        var classes = Categories.Predictable.Select(c => c.Id).ToList();
        var papers = examples.Select(e => e.Paper).ToList();
        var vectors = examples.Select(e => e.Vector).ToArray();
        var sims = Similarities(vectors, descriptions);
        // The descriptions as examples of their categories, after the papers (a prior; see CategoryTrainer.DescriptionPrior).
        var priors = Trainer.DescriptionPrior > 0 ? Enumerable.Range(papers.Count, classes.Count).ToList() : [];
        var rowPapers = priors.Count == 0 ? papers : [.. papers, .. classes.Select(c => new LabelledPaper($"description:{c}", "", "", [c]))];
        var rowVectors = priors.Count == 0 ? vectors : [.. vectors, .. descriptions];
        var rowSims = priors.Count == 0 ? sims : [.. sims, .. Similarities(descriptions, descriptions)];
        var trainer = Trainer with
        {
            Seed = Seed,
            InnerFolds = 3,
            MaxTags = MaxTags,
            PrimaryShownGoal = PrimaryShownGoal,
            Softmax = Trainer.Softmax with { Seed = Seed },
        };
        var classifier = trainer.Fit(classes, new DenseFeatures(rowVectors), rowSims, rowPapers, Enumerable.Range(0, papers.Count).ToList(), log, priors);
        return new TaggerModel(embeddingModel, classifier, descriptions, papers.Select(p => p.Id).ToHashSet(StringComparer.Ordinal),
            TopicCalibration.Description(papers, classes, sims), TopicCalibration.Examples(papers, classes, vectors, descriptions, Seed));
    }

    /// <summary>
    /// The baseline every candidate must beat when no model for this embedding model can be judged
    /// on the validation papers: each paper's nearest category description, as its one tag.
    /// </summary>
    public static TaggingMetrics DescriptionBaseline(IReadOnlyList<TrainingExample> validation, float[][] descriptions)
    {
        var classes = Categories.Predictable.Select(c => c.Id).ToList();
        var predictions = Similarities(validation.Select(e => e.Vector).ToArray(), descriptions).Select(s =>
        {
            var ranked = Enumerable.Range(0, classes.Count).OrderByDescending(c => s[c]).Select(c => classes[c]).ToList();
            return new Prediction(ranked, ranked.Take(1).ToList());
        }).ToList();
        return TaggingMetrics.Compute(validation.Select(e => e.Paper.Categories).ToList(), predictions);
    }

    private static float[][] Similarities(float[][] vectors, float[][] descriptions) =>
        vectors.Select(v => descriptions.Select(d => TensorPrimitives.Dot(v, d)).ToArray()).ToArray();
}
