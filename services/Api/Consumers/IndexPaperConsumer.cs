using MassTransit;
using Papers.Api.Data;
using Papers.Api.Search;
using Papers.Contracts;

namespace Papers.Api.Consumers;

/// <summary>
/// Puts a paper into the read model. Idempotent by version and content hash: a redelivered or
/// older event changes nothing (events of one paper may arrive in any order, on any replica).
/// Votes cast here (<c>LocalUpvotes</c>) are never touched.
/// </summary>
/// <remarks>
/// Replicas may take two events of one paper at the same moment. The row's <c>Revision</c> makes
/// the later of two updates from the same read fail (<see cref="Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException"/>),
/// and of two first inserts the later fails on the key; the bus then retries the message in a
/// fresh scope (a new DbContext), which reads the row again and decides anew.
/// </remarks>
public sealed class IndexPaperConsumer(ApiDbContext db, SearchIndexSignal searchIndex, TimeProvider clock, ILoggerFactory logs) : IConsumer<PaperIngested>
{
    private readonly ILogger _applied = AppliedLog.Create(logs);

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
        // Events from before PaperIngested.Dois carry only doi, where several DOIs were joined by spaces.
        paper.Dois = m.Dois is { Count: > 0 } dois ? [.. dois] : [.. (m.Doi ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        paper.Doi = paper.Dois.FirstOrDefault();
        paper.License = m.License;
        paper.SourceUpvotes = m.SourceUpvotes;
        paper.ContentHash = m.ContentHash;
        paper.IngestedAt = m.IngestedAt;
        paper.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
        _applied.LogInformation("Applied PaperIngested {PaperId} v{Version} {ContentHash} message {MessageId}", m.PaperId, m.Version, m.ContentHash, context.MessageId);
        searchIndex.Notify();
    }
}
