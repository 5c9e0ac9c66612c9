using MassTransit;
using Microsoft.EntityFrameworkCore;
using Papers.Contracts;
using Papers.Ingest.Connectors;
using Papers.Ingest.Data;
using Papers.Ingest.Intake;

namespace Papers.Ingest.Consumers;

/// <summary>
/// A user submitted a paper. Handled once per <see cref="SubmitPaper.SubmissionId"/>: the
/// processed-submission row and the resulting event commit together.
/// </summary>
public sealed class SubmitPaperConsumer(IngestDbContext db, PaperIntake intake, TimeProvider clock) : IConsumer<SubmitPaper>
{
    public async Task Consume(ConsumeContext<SubmitPaper> context)
    {
        var command = context.Message;
        if (await db.Submissions.AnyAsync(s => s.SubmissionId == command.SubmissionId, context.CancellationToken))
            return;

        var paper = ToSourcePaper(command);
        db.Submissions.Add(new ProcessedSubmission
        {
            SubmissionId = command.SubmissionId,
            PaperId = PaperIdentity.PaperId(paper.ArxivId, paper.Title),
            ProcessedAt = clock.GetUtcNow(),
        });
        await intake.IngestAsync([paper], context.CancellationToken);
    }

    internal static SourcePaper ToSourcePaper(SubmitPaper command)
    {
        if (string.IsNullOrWhiteSpace(command.Title) || string.IsNullOrWhiteSpace(command.Abstract))
            throw new InvalidOperationException(
                $"Submission {command.SubmissionId} has no title or abstract, and fetching arXiv metadata for '{command.ArxivId}' is not configured.");
        var arxivId = ArxivId.Normalize(command.ArxivId);
        var authors = (command.Authors ?? []).Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => new PaperAuthor(TextNormalizer.Normalize(a))).ToList();
        return new SourcePaper(arxivId, TextNormalizer.Normalize(command.Title), TextNormalizer.Normalize(command.Abstract), authors, null, [], [], null,
            DateOnly.FromDateTime(command.SubmittedAt.UtcDateTime), "submission", SubmittedBy: command.SubmittedBy);
    }
}

public sealed class SubmitPaperConsumerDefinition : ConsumerDefinition<SubmitPaperConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SubmitPaperConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Submissions touch the same rows as file and harvest intake; one at a time keeps that simple.
        endpointConfigurator.ConcurrentMessageLimit = 1;
    }
}
