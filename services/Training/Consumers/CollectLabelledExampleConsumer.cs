using MassTransit;
using Papers.Contracts;
using Papers.Domain;
using Papers.Training.Data;

namespace Papers.Training.Consumers;

/// <summary>
/// Collects labelled examples: text and author-assigned categories of arXiv papers from
/// <see cref="PaperIngested"/> (OAI-PMH, the arXiv API, <c>.abs</c>/JSONL imports that carry
/// categories), the embedding from <see cref="PaperEnriched"/>. Papers without categories, or
/// from sources that assign none themselves (submissions, HF daily papers), are what the tagger
/// serves, not what it learns from. Events may come in any order and twice: a newer version wins,
/// an older one arriving late changes nothing, and an embedding serves only the content it is of.
/// </summary>
/// <remarks>
/// A paper's two events write one row and may be taken at once on two replicas: the row's
/// <c>Revision</c> (or its key, for the first insert) makes the later save fail, and the bus
/// retries that message in a fresh scope.
/// </remarks>
public sealed class CollectLabelledExampleConsumer(TrainingDbContext db, TimeProvider clock)
    : IConsumer<PaperIngested>, IConsumer<PaperEnriched>
{
    /// <summary>Sources whose categories are not author-assigned arXiv categories.</summary>
    private static readonly HashSet<string> Unlabelled = new(StringComparer.Ordinal) { "submission", "hf-daily" };

    public async Task Consume(ConsumeContext<PaperIngested> context)
    {
        var m = context.Message;
        var categories = Enrichment.Tagging.Categories.Normalize(m.Categories);
        if (categories.Count == 0 || Unlabelled.Contains(m.Source) || !ArxivId.TryParse(m.PaperId, out _))
            return;
        var example = await FindOrAddAsync(m.PaperId, context.CancellationToken);
        if (example.Version > m.Version || example.Version == m.Version && example.ContentHash == m.ContentHash)
            return;
        example.Version = m.Version;
        example.Title = m.Title;
        example.Abstract = m.Abstract;
        example.Categories = [.. categories];
        example.ListedOn = m.ListedOn;
        example.ContentHash = m.ContentHash;
        example.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<PaperEnriched> context)
    {
        var m = context.Message;
        if (!ArxivId.TryParse(m.PaperId, out _))
            return;
        // To the microsecond, as PostgreSQL keeps it: a redelivery must compare equal to what was stored.
        var enrichedAt = new DateTimeOffset(m.EnrichedAt.UtcTicks - m.EnrichedAt.UtcTicks % 10, TimeSpan.Zero);
        var example = await FindOrAddAsync(m.PaperId, context.CancellationToken);
        // Of two embeddings of the same content, the later one (a new model's) wins; another content's waits for its PaperIngested.
        if (example.EnrichedHash == m.ContentHash && example.EnrichedAt >= enrichedAt)
            return;
        if (example.ContentHash is not null && example.ContentHash != m.ContentHash && example.EnrichedHash == example.ContentHash)
            return;
        example.Embedding = m.Embedding;
        example.EmbeddingModel = m.EmbeddingModel;
        example.EnrichedHash = m.ContentHash;
        example.EnrichedAt = enrichedAt;
        example.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
    }

    private async Task<LabelledExample> FindOrAddAsync(string paperId, CancellationToken cancellationToken)
    {
        var example = await db.Examples.FindAsync([paperId], cancellationToken);
        if (example is null)
        {
            example = new LabelledExample { PaperId = paperId };
            db.Examples.Add(example);
        }
        return example;
    }
}
