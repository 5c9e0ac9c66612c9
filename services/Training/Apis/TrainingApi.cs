using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Security;
using Papers.Training.Data;
using Papers.Training.Learning;
using Papers.Training.Retraining;

namespace Papers.Training.Apis;

/// <summary>A registered model without its weights: what, when, on what, how good, and its status.</summary>
public record ModelSummary(Guid Id, DateTime CreatedAt, string EmbeddingModel, string Status, DateTime? PromotedAt, Guid? Replaced,
    DateOnly TrainedFrom, DateOnly TrainedTo, DateOnly ValidatedFrom, DateOnly ValidatedTo, int HarvestExamples, int BaseExamples, int ValidationExamples,
    RetrainReport? Report);

/// <summary>
/// Categories of the promoted model that are not trusted: those it never shows as tags (<paramref name="Withheld"/>:
/// out of fold, surely right for fewer than a fifth of the papers it ranked them high for), and those that on its
/// validation papers were shown with low precision, or rarely right when they were the paper's.
/// </summary>
public record LowConfidenceReport(Guid? ModelId, string EmbeddingModel, IReadOnlyList<string> Withheld, double Threshold, IReadOnlyList<CategoryScore> Categories);

/// <summary>
/// Retraining now, rollback, the registry (admin), and the promoted model itself for Enrichment
/// replicas (<c>GET /api/training/models/current</c>: internal in a cluster, where the network
/// policy lets only Enrichment reach this service).
/// </summary>
public static class TrainingApi
{
    /// <summary>A category is reported as low-confidence below this F1 on the validation papers.</summary>
    public const double TrustedF1 = 0.5;

    public static IEndpointRouteBuilder MapTrainingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/training").WithTags("Training");
        group.MapPost("/retrain", RetrainAsync).WithName("Retrain").RequireAuthorization(Policies.Admin)
            .WithSummary("Retrains the tagger now on the harvested labelled papers; answers with the validation metrics and whether the new model was promoted (admin).");
        group.MapPost("/rollback", RollbackAsync).WithName("RollbackTaggerModel").RequireAuthorization(Policies.Admin)
            .WithSummary("Retires the promoted tagger model and promotes the one it replaced (none: Enrichment's built-in model) (admin).");
        group.MapGet("/models", ListAsync).WithName("ListTaggerModels").RequireAuthorization(Policies.Admin)
            .WithSummary("The registry, newest first: every trained model with its metrics and status (admin).");
        group.MapGet("/report", LowConfidenceAsync).WithName("LowConfidenceCategories").RequireAuthorization(Policies.Admin)
            .WithSummary("Categories the promoted model is not trusted with: those it withholds from the tags shown, and those with F1 below 0.5 on its validation papers (admin).");
        // Anonymous, for Enrichment replicas: in a cluster only they reach this service (NetworkPolicy; the
        // chart lifts its limits). Where it shares a public port (the all-in-one host, whose Enrichment
        // reads the registry in-process), its own small limit keeps anyone else from spending bandwidth.
        group.MapGet("/models/current", CurrentAsync).WithName("CurrentTaggerModel").RateLimited(RequestClass.ModelDownload)
            .WithSummary("The tagger model promoted for an embedding model, as Enrichment loads it (its registry id in the Papers-Tagger-Model-Id header); 404 when none is.");
        return app;
    }

    public static async Task<Results<Ok<RetrainReport>, ProblemHttpResult>> RetrainAsync(Retrainer retrainer, CancellationToken cancellationToken)
    {
        var run = await retrainer.RunAsync(occurrence: null, cancellationToken);
        return run.Outcome == LeaseOutcome.Ran
            ? TypedResults.Ok(run.Value!)
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A retraining is in progress",
                detail: "Another retraining or rollback (the scheduled one, or one asked for on another replica) is running now. Ask again once it has finished.");
    }

    public static async Task<Results<Ok<RollbackResult>, ProblemHttpResult>> RollbackAsync(
        string? embeddingModel, ModelRegistry registry, ClusterLease<TrainingDbContext> lease, CancellationToken cancellationToken)
    {
        var run = await lease.RunOnceAsync(Retrainer.Job, null, async ct =>
        {
            var model = embeddingModel ?? await registry.LastPromotedEmbeddingModelAsync(ct);
            return model is null ? null : await registry.RollbackAsync(model, ct);
        }, cancellationToken);
        if (run.Outcome != LeaseOutcome.Ran)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A retraining is in progress",
                detail: "A retraining or another rollback is running now. Ask again once it has finished.");
        return run.Value is { } result
            ? TypedResults.Ok(result)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Nothing to roll back",
                detail: embeddingModel is null ? "No tagger model is promoted: Enrichment tags with its built-in one."
                    : $"No tagger model is promoted for embeddingModel '{Problems.Echo(embeddingModel)}'.");
    }

    public static async Task<Ok<List<ModelSummary>>> ListAsync(TrainingDbContext db, CancellationToken cancellationToken)
    {
        var models = await db.Models.AsNoTracking().OrderByDescending(m => m.CreatedAt).Take(100)
            .Select(m => new { Model = m, m.ReportJson }).ToListAsync(cancellationToken);
        return TypedResults.Ok(models.Select(m => Summary(m.Model, m.ReportJson)).ToList());
    }

    public static async Task<Results<Ok<LowConfidenceReport>, ProblemHttpResult>> LowConfidenceAsync(
        string? embeddingModel, ModelRegistry registry, CancellationToken cancellationToken)
    {
        var model = embeddingModel ?? await registry.LastPromotedEmbeddingModelAsync(cancellationToken);
        var promoted = model is null ? null : await registry.PromotedAsync(model, cancellationToken);
        if (promoted is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No promoted model",
                detail: "No retrained tagger model is promoted; retrain first (POST /api/training/retrain).");
        var report = JsonSerializer.Deserialize<RetrainReport>(promoted.ReportJson, Retrainer.ReportJson);
        var weak = report?.Validation?.Categories.Where(c => c.F1 < TrustedF1).OrderBy(c => c.F1).ThenByDescending(c => c.Support).ToList() ?? [];
        using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(promoted.ModelJson));
        var withheld = Enrichment.Tagging.TaggerModel.Load(json).Classifier.Withheld.Order(StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new LowConfidenceReport(promoted.Id, promoted.EmbeddingModel, withheld, TrustedF1, weak));
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult, ValidationProblem>> CurrentAsync(
        string? embeddingModel, ModelRegistry registry, HttpResponse response, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(embeddingModel))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["embeddingModel"] = ["embeddingModel is required: the id of the embedding model the tagger must fit (as in PaperEnriched.embeddingModel)."] });
        var promoted = await registry.PromotedAsync(embeddingModel, cancellationToken);
        if (promoted is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No promoted model",
                detail: $"No tagger model is promoted for embeddingModel '{Problems.Echo(embeddingModel)}': tag with the built-in one.");
        // Enrichment names the model in the tags it makes (PaperEnriched, PaperRetagged), so the Api knows which papers to re-tag.
        response.Headers[PromotedTaggerModel.IdHeader] = promoted.Id.ToString();
        return TypedResults.Text(promoted.ModelJson, "application/json");
    }

    private static ModelSummary Summary(RegisteredModel m, string reportJson) =>
        new(m.Id, m.CreatedAt, m.EmbeddingModel, m.Status.ToString().ToLowerInvariant(), m.PromotedAt, m.Replaced, m.TrainedFrom, m.TrainedTo,
            m.ValidatedFrom, m.ValidatedTo, m.HarvestExamples, m.BaseExamples, m.ValidationExamples,
            JsonSerializer.Deserialize<RetrainReport>(reportJson, Retrainer.ReportJson));
}
