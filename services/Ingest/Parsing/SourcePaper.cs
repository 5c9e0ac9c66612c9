using System.Text.Json.Serialization;
using Papers.Contracts;

namespace Papers.Ingest.Parsing;

/// <summary>
/// A paper as a connector read it, normalised (whitespace collapsed, LaTeX kept), before Ingest
/// decides whether it is new, a revision or already known.
/// </summary>
/// <param name="ArxivId">arXiv id without version (<c>2401.01234</c>, <c>hep-th/9901001</c>), or null.</param>
/// <param name="Versions">Known versions, oldest first; v1's date is the publication date.</param>
/// <param name="Dois">Every DOI the source gave, in its order (arXiv's doi field may hold several).</param>
/// <param name="UpdatedOn">When the source last changed the paper (the arXiv format's <c>updated</c>), when it said.</param>
/// <param name="ExternalIds">Identifiers other than the arXiv id and DOIs, strongest first, each with its
/// scheme: <c>s2:…</c> (Semantic Scholar), <c>openalex:W…</c>, <c>oai:…</c> (an OAI-PMH record),
/// <c>&lt;source&gt;:…</c> (an id only that source knows). A paper without an arXiv id is known by them.</param>
/// <param name="AnnounceType">For arXiv listing feeds: <c>new</c>, <c>cross</c>, <c>replace</c> or <c>replace-cross</c>.</param>
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
    IReadOnlyList<string>? Dois = null,
    string? License = null,
    string? AbsUrl = null,
    string? PdfUrl = null,
    string? SubmittedBy = null,
    bool Deleted = false,
    DateOnly? UpdatedOn = null,
    IReadOnlyList<string>? ExternalIds = null,
    string? AnnounceType = null)
{
    /// <summary>The first DOI, the one <c>PaperIngested.Doi</c> carries.</summary>
    [JsonIgnore]
    public string? Doi => Dois is [var first, ..] ? first : null;

    /// <summary>The latest version number known, at least 1.</summary>
    public int LatestVersion => Versions.Count == 0 ? 1 : Versions.Max(v => v.Number);
}

/// <summary>One version of a paper: <c>v2</c> submitted on a date.</summary>
public record PaperVersion(int Number, DateTimeOffset? SubmittedAt, string? Size = null);
