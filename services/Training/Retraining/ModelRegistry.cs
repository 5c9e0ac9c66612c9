using System.Text;
using Microsoft.EntityFrameworkCore;
using Papers.Contracts;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Outbox;
using Papers.Training.Data;

namespace Papers.Training.Retraining;

/// <summary>
/// The registry's promotions: one promoted model per embedding model at a time, each promotion
/// (and rollback) announced by <see cref="TaggerModelPromoted"/> in the same transaction. Callers
/// hold the <c>retrain</c> lease, so two replicas never promote at once.
/// </summary>
public sealed class ModelRegistry(TrainingDbContext db, TimeProvider clock)
{
    /// <summary>The model promoted for <paramref name="embeddingModel"/>, if any.</summary>
    public Task<RegisteredModel?> PromotedAsync(string embeddingModel, CancellationToken cancellationToken) =>
        db.Models.Where(m => m.EmbeddingModel == embeddingModel && m.Status == ModelStatus.Promoted).OrderByDescending(m => m.PromotedAt).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Makes <paramref name="model"/> the promoted one of its embedding model, retiring the one before.</summary>
    public async Task PromoteAsync(RegisteredModel model, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var current = await PromotedAsync(model.EmbeddingModel, cancellationToken);
        if (current is not null)
            current.Status = ModelStatus.Retired;
        model.Status = ModelStatus.Promoted;
        model.PromotedAt = now.UtcDateTime;
        model.Replaced = current?.Id;
        db.AddToOutbox(new TaggerModelPromoted(model.Id, model.EmbeddingModel, reason, now), clock);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Retires the model promoted for <paramref name="embeddingModel"/> and promotes the one it
    /// replaced (none: Enrichment goes back to its built-in model). Null when nothing is promoted.
    /// </summary>
    public async Task<RollbackResult?> RollbackAsync(string embeddingModel, CancellationToken cancellationToken)
    {
        var current = await PromotedAsync(embeddingModel, cancellationToken);
        if (current is null)
            return null;
        var now = clock.GetUtcNow();
        current.Status = ModelStatus.Retired;
        var previous = current.Replaced is { } id ? await db.Models.FindAsync([id], cancellationToken) : null;
        if (previous is not null)
        {
            previous.Status = ModelStatus.Promoted;
            previous.PromotedAt = now.UtcDateTime;
        }
        db.AddToOutbox(new TaggerModelPromoted(previous?.Id, embeddingModel, $"rollback from {current.Id}", now), clock);
        await db.SaveChangesAsync(cancellationToken);
        return new RollbackResult(current.Id, previous?.Id, embeddingModel);
    }

    /// <summary>The embedding model of the most recent promotion (what a rollback without one named applies to).</summary>
    public Task<string?> LastPromotedEmbeddingModelAsync(CancellationToken cancellationToken) =>
        db.Models.Where(m => m.Status == ModelStatus.Promoted).OrderByDescending(m => m.PromotedAt).Select(m => m.EmbeddingModel).FirstOrDefaultAsync(cancellationToken);
}

/// <summary>What a rollback did: <paramref name="Retired"/> out, <paramref name="Promoted"/> in (null: the built-in model).</summary>
public sealed record RollbackResult(Guid Retired, Guid? Promoted, string EmbeddingModel);

/// <summary>Enrichment in the same host reads the registry directly instead of calling Training over HTTP.</summary>
internal sealed class RegistryTaggerModelSource(IServiceScopeFactory scopes) : ITaggerModelSource
{
    public async Task<PromotedTaggerModel?> FetchAsync(string embeddingModel, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        var promoted = await registry.PromotedAsync(embeddingModel, cancellationToken);
        if (promoted is null)
            return null;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(promoted.ModelJson));
        return new PromotedTaggerModel(promoted.Id, TaggerModel.Load(stream));
    }
}
