using MassTransit;
using Papers.Contracts;
using Papers.Notifications.Data;

namespace Papers.Notifications.Consumers;

/// <summary>
/// Keeps the papers digests choose from: text from <see cref="PaperIngested"/>, embedding and tags
/// from <see cref="PaperEnriched"/>, whichever comes first. Events of one paper may arrive in any
/// order, on any replica: a newer version always wins over an older one (an older event arriving
/// late changes nothing), and applying an event twice leaves the same row.
/// </summary>
/// <remarks>
/// The paper's two events write one row and may be taken at the same moment on two replicas: the
/// row's <c>Revision</c> (or, for the first insert, its key) makes the later save fail, and the bus
/// retries that message in a fresh scope, which reads the row again.
/// </remarks>
public sealed class CollectDigestCandidateConsumer(NotificationsDbContext db, TimeProvider clock)
    : IConsumer<PaperIngested>, IConsumer<PaperEnriched>
{
    public async Task Consume(ConsumeContext<PaperIngested> context)
    {
        var m = context.Message;
        var paper = await FindOrAddAsync(m.PaperId, context.CancellationToken);
        if (paper.Version > m.Version || paper.Version == m.Version && paper.ContentHash == m.ContentHash)
            return;
        paper.Version = m.Version;
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
        // To the microsecond, as PostgreSQL keeps it: a redelivery must compare equal to what was stored.
        var enrichedAt = new DateTimeOffset(m.EnrichedAt.UtcTicks - m.EnrichedAt.UtcTicks % 10, TimeSpan.Zero);
        var paper = await FindOrAddAsync(m.PaperId, context.CancellationToken);
        if (paper.EnrichedVersion > m.Version || paper.EnrichedVersion == m.Version && paper.EnrichedHash == m.ContentHash && paper.EnrichedAt >= enrichedAt)
            return;
        // New content makes the paper new for digests; a re-enrichment by a new model doesn't.
        if (paper.EnrichedHash != m.ContentHash)
            paper.ArrivedAt = clock.GetUtcNow().UtcDateTime;
        paper.Embedding = m.Embedding;
        paper.EmbeddingModel = m.EmbeddingModel;
        paper.EnrichedHash = m.ContentHash;
        paper.EnrichedVersion = m.Version;
        paper.EnrichedAt = enrichedAt;
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
