using Papers.Contracts;

namespace Papers.Ingest.Parsing;

/// <summary>
/// A paper as a connector read it, normalised (whitespace collapsed, LaTeX kept), before Ingest
/// decides whether it is new, a revision or already known.
/// </summary>
/// <param name="ArxivId">arXiv id without version (<c>2401.01234</c>, <c>hep-th/9901001</c>), or null.</param>
/// <param name="Versions">Known versions, oldest first; v1's date is the publication date.</param>
public record SourcePaper(
    string? ArxivId,
    string Title,
    string Abstract,
    IReadOnlyList<PaperAuthor> Authors,
    string? PrimaryCategory,
    IReadOnlyList<string> Categories,
    IReadOnlyList<PaperVersion> Versions,
    DateOnly? PublishedOn,
    DateOnly? ListedOn,
    string Source,
    int SourceUpvotes = 0,
    string? Comments = null,
    string? JournalRef = null,
    string? Doi = null,
    string? License = null,
    string? AbsUrl = null,
    string? PdfUrl = null,
    string? SubmittedBy = null,
    bool Deleted = false)
{
    /// <summary>The latest version number known, at least 1.</summary>
    public int LatestVersion => Versions.Count == 0 ? 1 : Versions.Max(v => v.Number);
}

/// <summary>One version of a paper: <c>v2</c> submitted on a date.</summary>
public record PaperVersion(int Number, DateTimeOffset? SubmittedAt, string? Size = null);
