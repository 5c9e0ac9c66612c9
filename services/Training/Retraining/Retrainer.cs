using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Leases;
using Papers.Training.Data;
using Papers.Training.Learning;

namespace Papers.Training.Retraining;

/// <summary>
/// One retraining: the labelled examples of the last <see cref="TrainingOptions.WindowMonths"/>
/// whose embeddings are of the model the host's embedder runs (the one Enrichment runs; a model
/// trained for another would not fit its vectors), the newest week held out, a model fitted on
/// the rest plus the base set, stored in the registry with its metrics, and promoted only if it
/// beats the current model on the same validation papers in top-1 and macro F1 (not worse in
/// either, better in one). Runs under the <c>retrain</c> lease: one replica at a time.
/// </summary>
public sealed class Retrainer(
    TrainingDbContext db, BaseTrainingSet baseSet, ModelRegistry registry, ITextEmbedder embedder, ClusterLease<TrainingDbContext> lease,
    IOptions<TrainingOptions> options, TimeProvider clock, ILogger<Retrainer> logger)
{
    public const string Job = "retrain";

    /// <summary>Embeddings of papers that never got categories are kept this long (their <c>PaperIngested</c> may be late).</summary>
    private static readonly TimeSpan KeepUnlabelledFor = TimeSpan.FromDays(2);

    /// <param name="occurrence">The scheduled time's key, or null for a retraining asked for now.</param>
    public Task<LeaseResult<RetrainReport>> RunAsync(string? occurrence, CancellationToken cancellationToken) =>
        lease.RunOnceAsync(Job, occurrence, RetrainAsync, cancellationToken);

    private async Task<RetrainReport> RetrainAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var forgetBefore = clock.GetUtcNow().UtcDateTime - KeepUnlabelledFor;
        await db.Examples.Where(e => e.Version == 0 && e.UpdatedAt < forgetBefore).ExecuteDeleteAsync(cancellationToken);

        // Embedding the descriptions also tells which model the embedder (Enrichment's) runs now.
        var descriptions = await embedder.EmbedAsync(Categories.Predictable.Select(c => c.DescriptionText).ToList(), cancellationToken);
        var model = embedder.ModelId;
        var usable = db.Examples.AsNoTracking().Where(e => e.Version > 0 && e.EmbeddingModel == model && e.EnrichedHash == e.ContentHash);
        var newest = await usable.MaxAsync(e => (DateOnly?)e.ListedOn, cancellationToken);
        var from = newest?.AddMonths(-o.WindowMonths) ?? DateOnly.MinValue;
        var rows = await usable.Where(e => e.ListedOn > from).OrderBy(e => e.ListedOn).ThenBy(e => e.PaperId).ToListAsync(cancellationToken);
        if (rows.Count < o.MinExamples)
            return Skipped(model, rows.Count, $"{rows.Count} labelled examples embedded by {model} in the window; retraining needs at least {o.MinExamples} (Training:MinExamples)");

        var harvest = rows.Select(e => new TrainingExample(new LabelledPaper(e.PaperId, e.Title, e.Abstract, e.Categories), e.Embedding!, e.ListedOn)).ToList();
        var baseExamples = o.UseBaseSet ? await baseSet.LoadAsync(model, cancellationToken) : [];
        var fitter = new TaggerFitter { ValidationDays = o.ValidationDays, HoldOutShare = o.HoldOutShare };
        var fitted = fitter.Fit(model, harvest, baseExamples, descriptions);
        var validation = fitted.Split.Validation.Select(i => harvest[i]).ToList();

        var (candidate, incumbent, unjudged, topOneOnly) = await CompareAsync(fitted.Validated, validation, descriptions, model, cancellationToken);
        var better = unjudged is null && (topOneOnly
            ? candidate.Top1 > incumbent.Top1
            : candidate.Top1 >= incumbent.Top1 && candidate.MacroF1 >= incumbent.MacroF1 && (candidate.Top1 > incumbent.Top1 || candidate.MacroF1 > incumbent.MacroF1));
        var comparison = $"top-1 {candidate.Top1:F3} vs {incumbent.Top1:F3}, macro F1 {candidate.MacroF1:F3} vs {incumbent.MacroF1:F3} ({incumbent.Model}, {candidate.Papers} validation papers)";

        var report = new RetrainReport(better ? RetrainOutcome.Promoted : RetrainOutcome.NotPromoted,
            (better ? $"promoted: {comparison}" : unjudged is not null ? $"not promoted: {unjudged}" : $"not promoted, it does not beat the current model: {comparison}") +
                $"; the model stored is the same recipe refitted on all {harvest.Count + fitted.BaseExamples} examples",
            Guid.NewGuid(), model, harvest.Count, fitted.BaseExamples, fitted.Split.Train.Count + fitted.BaseExamples, validation.Count,
            fitted.Split.Rule, fitted.Validation, candidate, incumbent);
        var registered = new RegisteredModel
        {
            Id = report.ModelId!.Value,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            EmbeddingModel = model,
            TrainedFrom = harvest[0].ListedOn,
            TrainedTo = harvest[^1].ListedOn,
            ValidatedFrom = validation.Min(e => e.ListedOn),
            ValidatedTo = validation.Max(e => e.ListedOn),
            HarvestExamples = harvest.Count,
            BaseExamples = fitted.BaseExamples,
            ValidationExamples = validation.Count,
            ReportJson = JsonSerializer.Serialize(report, ReportJson),
            ModelJson = Serialize(fitted.Final, report),
            Status = ModelStatus.Candidate,
        };
        db.Models.Add(registered);
        if (better)
            await registry.PromoteAsync(registered, $"retrained: {comparison}", cancellationToken);
        else
            await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Retrained the tagger on {Harvest} harvested + {Base} base examples ({Split}): model {Id} {Detail}",
            harvest.Count, fitted.BaseExamples, fitted.Split.Rule, registered.Id, report.Detail);
        return report;
    }

    /// <summary>
    /// The candidate and the current model (promoted, else built in) on the validation papers the
    /// current one was not trained on. With too few of those: against a promoted model (trained on
    /// the harvest) there is no evidence either way until new listing days arrive, so no promotion
    /// (the reason is returned); against the built-in model (its training papers were imported as a
    /// harvest), or with no model for this embedding model, the description-similarity baseline on
    /// all validation papers is the bar, in top-1 only (<c>TopOneOnly</c>): its one tag a paper
    /// spreads over many categories, so on a few dozen papers of a few archives its macro F1 says
    /// little about which tagger is better.
    /// </summary>
    private async Task<(Score Candidate, Score Incumbent, string? Unjudged, bool TopOneOnly)> CompareAsync(
        TaggerModel candidate, List<TrainingExample> validation, float[][] descriptions, string model, CancellationToken cancellationToken)
    {
        var promoted = await registry.PromotedAsync(model, cancellationToken);
        var current = promoted is not null ? Load(promoted.ModelJson) : TaggerModel.LoadEmbedded() is { } builtIn && builtIn.EmbeddingModel == model ? builtIn : null;
        var name = promoted is not null ? $"promoted model {promoted.Id}" : "built-in model";
        var unseen = current is null ? [] : validation.Where(e => !current.TrainedOn.Contains(e.Paper.Id)).ToList();
        var minimum = options.Value.MinComparable;
        if (current is not null && unseen.Count >= minimum)
            return (Judge("candidate", candidate, unseen), Judge(name, current, unseen), null, false);
        var baseline = TaggerFitter.DescriptionBaseline(validation, descriptions);
        var why = current is null ? $"no {name} for {model}" : $"the {name} was trained on {validation.Count - unseen.Count} of the {validation.Count} validation papers";
        var bar = new Score($"description similarity ({why})", validation.Count, baseline.Top1, baseline.MacroF1);
        // The baseline shows one tag: so does the candidate, in this comparison.
        var oneTag = Judge("candidate (its first tag only, as the baseline)", candidate, validation, oneTag: true);
        return promoted is null
            ? (oneTag, bar, null, true)
            : (oneTag, bar,
                $"{why}; a candidate is judged against it on at least {minimum} papers it has not seen (Training:MinComparable), which come with new listing days", false);
    }

    /// <summary>
    /// Top-1, and macro F1 of the tags each model's classifier puts above its threshold (or of its
    /// first tag alone, <paramref name="oneTag"/>, against the one-tag baseline): the
    /// coverage tags (shown so that the primary is among them) are left out, so that how many
    /// tags a model shows can neither win nor block a promotion, only how well it classifies.
    /// </summary>
    private static Score Judge(string name, TaggerModel model, List<TrainingExample> papers, bool oneTag = false)
    {
        var gold = papers.Select(e => e.Paper.Categories).ToList();
        var predictions = papers.Select(e => model.Classifier.Predict(model.Probabilities(e.Vector), coverage: 0))
            .Select(p => oneTag ? p with { Tags = p.Ranked.Take(1).ToList() } : p).ToList();
        var m = TaggingMetrics.Compute(gold, predictions);
        return new Score(name, papers.Count, m.Top1, m.MacroF1);
    }

    private RetrainReport Skipped(string model, int examples, string detail)
    {
        logger.LogInformation("Tagger not retrained: {Detail}", detail);
        return new RetrainReport(RetrainOutcome.Skipped, detail, null, model, examples, 0, 0, 0, null, null, null, null);
    }

    private static TaggerModel Load(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return TaggerModel.Load(stream);
    }

    private static string Serialize(TaggerModel model, RetrainReport report)
    {
        using var stream = new MemoryStream();
        model.Save(stream, $"Training service, model {report.ModelId}: {report.HarvestExamples} harvested + {report.BaseExamples} base examples; {report.Split}");
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
}
