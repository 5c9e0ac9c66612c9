using Papers.Domain;

namespace Papers.Api.Apis;

/// <summary>What a submission must hold before it is accepted.</summary>
public static class SubmissionRules
{
    public const int MaxTitle = 1_000, MaxSummary = 20_000, MaxAuthors = 1_000;

    public static Dictionary<string, string[]> Validate(SubmitPaperRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ArxivId is { } id && !ArxivId.TryParse(id, out _))
            errors["arxivId"] = [$"arxivId must look like 2401.01234 (optionally with v2) or hep-th/9901001; got '{id}'."];
        // By arXiv id alone, Ingest fetches the metadata; without one, title and summary are the paper.
        var byIdOnly = !string.IsNullOrWhiteSpace(request.ArxivId) && string.IsNullOrWhiteSpace(request.Title) && string.IsNullOrWhiteSpace(request.Summary);
        if (string.IsNullOrWhiteSpace(request.Title) && !byIdOnly)
            errors["title"] = ["title is required unless the paper is submitted by arxivId alone."];
        else if (request.Title?.Length > MaxTitle)
            errors["title"] = [$"title may have at most {MaxTitle} characters; got {request.Title.Length}."];
        if (string.IsNullOrWhiteSpace(request.Summary) && !byIdOnly)
            errors["summary"] = ["summary (the abstract) is required unless the paper is submitted by arxivId alone."];
        else if (request.Summary?.Length > MaxSummary)
            errors["summary"] = [$"summary may have at most {MaxSummary} characters; got {request.Summary!.Length}."];
        if (request.Authors is { Count: > MaxAuthors })
            errors["authors"] = [$"At most {MaxAuthors} authors; got {request.Authors.Count}."];
        return errors;
    }
}
