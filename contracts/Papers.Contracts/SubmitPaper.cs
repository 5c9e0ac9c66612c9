namespace Papers.Contracts;

/// <summary>
/// Command to Ingest: add a paper a user submitted. Either <paramref name="ArxivId"/> (Ingest fetches
/// the metadata where it can reach arXiv) or <paramref name="Title"/> and <paramref name="Abstract"/>.
/// </summary>
/// <param name="SubmissionId">Client-chosen or generated id; repeated submissions with the same id are one.</param>
/// <param name="ArxivId">arXiv id, with or without version.</param>
/// <param name="Title">Title, when submitting metadata directly.</param>
/// <param name="Abstract">Abstract, when submitting metadata directly.</param>
/// <param name="Authors">Author names, in order.</param>
/// <param name="SubmittedBy">Who submitted it.</param>
/// <param name="SubmittedAt">When.</param>
public record SubmitPaper(
    Guid SubmissionId,
    string? ArxivId,
    string? Title,
    string? Abstract,
    IReadOnlyList<string>? Authors,
    string SubmittedBy,
    DateTimeOffset SubmittedAt);
