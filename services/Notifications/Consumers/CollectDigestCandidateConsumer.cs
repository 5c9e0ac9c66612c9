using MassTransit;
using Papers.Contracts;
using Papers.Notifications.Data;

namespace Papers.Notifications.Consumers;

/// <summary>
/// Keeps the papers digests choose from: text from <see cref="PaperIngested"/>, embedding and tags
/// from <see cref="PaperEnriched"/>, whichever comes first. Idempotent: applying an event twice
/// leaves the same row.
/// </summary>
public sealed class CollectDigestCandidateConsumer(NotificationsDbContext db, TimeProvider clock)
    : IConsumer<PaperIngested>, IConsumer<PaperEnriched>
{
    public async Task Consume(ConsumeContext<PaperIngested> context)
    {
        var m = context.Message;
        var paper = await FindOrAddAsync(m.PaperId, context.CancellationToken);
        if (paper.ContentHash == m.ContentHash)
            return;
        paper.Title = m.Title;
        paper.Abstract = m.Abstract;
        paper.Authors = m.Authors.Select(a => a.Name).ToList();
        paper.ContentHash = m.ContentHash;
        paper.ListedOn = m.ListedOn;
        paper.ArrivedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<PaperEnriched> context)
    {
        var m = context.Message;
        var paper = await FindOrAddAsync(m.PaperId, context.CancellationToken);
        if (paper.EnrichedHash == m.ContentHash && paper.EmbeddingModel == m.EmbeddingModel)
            return;
        // New content makes the paper new for digests; a re-enrichment by a new model doesn't.
        if (paper.EnrichedHash != m.ContentHash)
            paper.ArrivedAt = clock.GetUtcNow().UtcDateTime;
        paper.Embedding = m.Embedding;
        paper.EmbeddingModel = m.EmbeddingModel;
        paper.EnrichedHash = m.ContentHash;
        paper.Tags = [.. m.Tags];
        paper.Keywords = [.. m.Keywords];
        await db.SaveChangesAsync(context.CancellationToken);
    }

    private async Task<CandidatePaper> FindOrAddAsync(string paperId, CancellationToken cancellationToken)
    {
        var paper = await db.Candidates.FindAsync([paperId], cancellationToken);
        if (paper is null)
        {
            paper = new CandidatePaper { PaperId = paperId };
            db.Candidates.Add(paper);
        }
        return paper;
    }
}

public sealed class CollectDigestCandidateConsumerDefinition : ConsumerDefinition<CollectDigestCandidateConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<CollectDigestCandidateConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // The two events of one paper write the same row: one at a time.
        endpointConfigurator.ConcurrentMessageLimit = 1;
    }
}
