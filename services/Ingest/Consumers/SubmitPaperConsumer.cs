using MassTransit;
using Microsoft.EntityFrameworkCore;
using Papers.Contracts;
using Papers.Domain;
using Papers.Ingest.Data;
using Papers.Ingest.Intake;
using Papers.Ingest.Parsing;
using Papers.Ingest.Sources;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Ingest.Consumers;

/// <summary>
/// A user submitted a paper. Handled once per <see cref="SubmitPaper.SubmissionId"/>: the
/// processed-submission row and the resulting event commit together. A submission by arXiv id
/// alone gets its metadata from the arXiv API (<c>Sources:ArxivApi:BaseUrl</c>); when that is not
/// configured or arXiv has no such paper, the message fails and ends in the error queue.
/// </summary>
public sealed class SubmitPaperConsumer(IngestDbContext db, PaperIntake intake, ArxivApiClient arxiv, TimeProvider clock) : IConsumer<SubmitPaper>
{
    public async Task Consume(ConsumeContext<SubmitPaper> context)
    {
        var command = context.Message;
        var ct = context.CancellationToken;
        if (await db.Submissions.AnyAsync(s => s.SubmissionId == command.SubmissionId, ct))
            return;

        if (IsByIdAlone(command))
        {
            // A paper we already have needs no fetch: the submission is recorded against it.
            var id = ArxivId.Normalize(command.ArxivId) ?? throw new SubmissionException(command, $"'{command.ArxivId}' is not an arXiv id");
            if (await db.Papers.AnyAsync(p => p.PaperId == id, ct))
            {
                db.Submissions.Add(Processed(command, id));
                await db.SaveChangesAsync(ct);
                return;
            }
        }

        var paper = IsByIdAlone(command) ? await FetchAsync(command, ct) : ToSourcePaper(command);
        db.Submissions.Add(Processed(command, PaperIds.FromSource(paper.ArxivId, paper.Title)));
        await intake.IngestAsync([paper], ct);
    }

    private static bool IsByIdAlone(SubmitPaper command) =>
        !string.IsNullOrWhiteSpace(command.ArxivId) && string.IsNullOrWhiteSpace(command.Title) && string.IsNullOrWhiteSpace(command.Abstract);

    private ProcessedSubmission Processed(SubmitPaper command, string paperId) =>
        new() { SubmissionId = command.SubmissionId, PaperId = paperId, ProcessedAt = clock.GetUtcNow() };

    /// <summary>The paper's metadata from the arXiv API, attributed to the submitter.</summary>
    private async Task<SourcePaper> FetchAsync(SubmitPaper command, CancellationToken ct)
    {
        if (!arxiv.IsConfigured)
            throw new SubmissionException(command, $"it has no title or abstract, and fetching arXiv metadata is not configured ({ArxivApiOptions.Section}:BaseUrl)");
        var id = ArxivId.Normalize(command.ArxivId);
        var found = await arxiv.GetByIdsAsync([id!], ct);
        var paper = found.FirstOrDefault(p => p.ArxivId == id)
            ?? throw new SubmissionException(command, $"arXiv has no paper '{id}'");
        return paper with
        {
            Source = "submission",
            ListedOn = DateOnly.FromDateTime(command.SubmittedAt.UtcDateTime),
            SubmittedBy = command.SubmittedBy,
        };
    }

    internal static SourcePaper ToSourcePaper(SubmitPaper command)
    {
        if (string.IsNullOrWhiteSpace(command.Title) || string.IsNullOrWhiteSpace(command.Abstract))
            throw new SubmissionException(command, "it needs both a title and an abstract, or an arXiv id alone");
        var arxivId = ArxivId.Normalize(command.ArxivId);
        var authors = (command.Authors ?? []).Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => new PaperAuthor(TextNormalizer.Normalize(a))).ToList();
        return new SourcePaper(arxivId, TextNormalizer.Normalize(command.Title), TextNormalizer.Normalize(command.Abstract), authors, null, [], [], null,
            DateOnly.FromDateTime(command.SubmittedAt.UtcDateTime), "submission", SubmittedBy: command.SubmittedBy);
    }
}

/// <summary>A submission that cannot be turned into a paper; the message ends in the error queue.</summary>
public sealed class SubmissionException(SubmitPaper command, string reason)
    : PermanentMessageException($"Submission {command.SubmissionId} ({command.ArxivId ?? "no arXiv id"}) cannot be ingested: {reason}.");

public sealed class SubmitPaperConsumerDefinition : ConsumerDefinition<SubmitPaperConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SubmitPaperConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Submissions touch the same rows as file and harvest intake; one at a time keeps that simple.
        endpointConfigurator.ConcurrentMessageLimit = 1;
    }
}
