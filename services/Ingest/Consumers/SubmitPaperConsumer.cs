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
/// A user submitted a paper (the Api sends arXiv ids at once, and text submissions once an admin
/// approved them). Handled once per <see cref="SubmitPaper.SubmissionId"/>: the processed-submission
/// row and the resulting event commit together. It never changes a paper Ingest already has. A
/// new arXiv id gets its record from the arXiv API (<c>Sources:ArxivApi:BaseUrl</c>), listed on the
/// day of the submission with source <c>submission</c> (so it cannot move the latest harvested
/// day); when that is not configured or arXiv has no such paper, the message fails and ends in the
/// error queue.
/// </summary>
/// <remarks>
/// Replica-safe without a concurrency limit: two replicas taking the same submission (a
/// redelivery), or two submissions of the same new paper, both find nothing and both insert; the
/// later commit fails on a key (the submission id, the paper id) and the bus retries it in a fresh
/// scope, which then finds the submission processed, or the paper known (and records the
/// submission against it, changing nothing). A paper revised by a harvest at the same moment is
/// caught by its revision token the same way.
/// </remarks>
public sealed class SubmitPaperConsumer(IngestDbContext db, PaperIntake intake, ArxivApiClient arxiv, TimeProvider clock) : IConsumer<SubmitPaper>
{
    public async Task Consume(ConsumeContext<SubmitPaper> context)
    {
        var command = context.Message;
        var ct = context.CancellationToken;
        if (await db.Submissions.AnyAsync(s => s.SubmissionId == command.SubmissionId, ct))
            return;

        // A submission never changes a paper we have: by arXiv id, the record comes from arXiv;
        // by title and abstract, any paper with the same title (an arXiv one too) stays as it is.
        var id = HasArxivId(command)
            ? ArxivId.Normalize(command.ArxivId) ?? throw new SubmissionException(command, $"'{command.ArxivId}' is not an arXiv id")
            : PaperIds.FromSource(null, ToSourcePaper(command).Title);
        var titleKey = HasArxivId(command) ? null : PaperIds.TitleKey(ToSourcePaper(command).Title);
        var existing = await db.Papers.Where(p => p.PaperId == id || titleKey != null && p.TitleKey == titleKey).Select(p => p.PaperId).FirstOrDefaultAsync(ct);
        if (existing is not null)
        {
            db.Submissions.Add(Processed(command, existing));
            await db.SaveChangesAsync(ct);
            return;
        }

        var paper = HasArxivId(command) ? await FetchAsync(command, ct) : ToSourcePaper(command);
        var staged = await intake.StageAsync([paper], ct);
        db.Submissions.Add(Processed(command, staged.PaperIds[0]));
        await db.SaveChangesAsync(ct);
        intake.Committed();
    }

    /// <summary>By arXiv id: whatever else the message holds, the paper is arXiv's record.</summary>
    private static bool HasArxivId(SubmitPaper command) => !string.IsNullOrWhiteSpace(command.ArxivId);

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

    /// <summary>A paper from a submission's own title and abstract (an admin approved it); it never carries an arXiv id.</summary>
    internal static SourcePaper ToSourcePaper(SubmitPaper command)
    {
        if (string.IsNullOrWhiteSpace(command.Title) || string.IsNullOrWhiteSpace(command.Abstract))
            throw new SubmissionException(command, "it needs both a title and an abstract, or an arXiv id");
        var authors = (command.Authors ?? []).Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => new PaperAuthor(TextNormalizer.Normalize(a))).ToList();
        return new SourcePaper(null, TextNormalizer.Normalize(command.Title), TextNormalizer.Normalize(command.Abstract), authors, null, [], [], null,
            DateOnly.FromDateTime(command.SubmittedAt.UtcDateTime), "submission", SubmittedBy: command.SubmittedBy);
    }
}

/// <summary>A submission that cannot be turned into a paper; the message ends in the error queue.</summary>
public sealed class SubmissionException(SubmitPaper command, string reason)
    : PermanentMessageException($"Submission {command.SubmissionId} ({command.ArxivId ?? "no arXiv id"}) cannot be ingested: {reason}.");
