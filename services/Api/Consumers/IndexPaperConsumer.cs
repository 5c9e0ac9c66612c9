using MassTransit;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;
using Papers.Api.Search;
using Papers.Contracts;

namespace Papers.Api.Consumers;

/// <summary>
/// Puts a paper into the read model. Idempotent by version and content hash: a redelivered or
/// older event changes nothing. Votes cast here (<c>LocalUpvotes</c>) are never touched.
/// </summary>
public sealed class IndexPaperConsumer(ApiDbContext db, SearchIndexSignal searchIndex, TimeProvider clock) : IConsumer<PaperIngested>
{
    public async Task Consume(ConsumeContext<PaperIngested> context)
    {
        var m = context.Message;
        var paper = await db.Papers.FindAsync([m.PaperId], context.CancellationToken);
        if (paper is not null && (paper.Version > m.Version || paper.Version == m.Version && paper.ContentHash == m.ContentHash))
            return;

        if (paper is null)
        {
            paper = new PaperRecord { PaperId = m.PaperId, Title = m.Title, Abstract = m.Abstract, Source = m.Source, ContentHash = m.ContentHash };
            db.Papers.Add(paper);
        }
        paper.Version = m.Version;
        paper.Title = m.Title;
        paper.Abstract = m.Abstract;
        paper.Authors = [.. m.Authors];
        paper.PrimaryCategory = m.PrimaryCategory;
        paper.Categories = [.. m.Categories];
        paper.PublishedOn = m.PublishedOn;
        paper.ListedOn = m.ListedOn;
        paper.Source = m.Source;
        paper.SubmittedBy = m.SubmittedBy;
        paper.Comments = m.Comments;
        paper.JournalRef = m.JournalRef;
        paper.Doi = m.Doi;
        paper.License = m.License;
        paper.SourceUpvotes = m.SourceUpvotes;
        paper.ContentHash = m.ContentHash;
        paper.IngestedAt = m.IngestedAt;
        paper.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
        searchIndex.Notify();
    }
}

public sealed class IndexPaperConsumerDefinition : ConsumerDefinition<IndexPaperConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<IndexPaperConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Events of one paper must not race each other into the same row.
        endpointConfigurator.ConcurrentMessageLimit = 1;
    }
}
