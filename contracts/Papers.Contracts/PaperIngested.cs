namespace Papers.Contracts;

/// <summary>
/// A paper, or a new version of a known paper, entered the platform. Published by Ingest once
/// per (paper, version, content); a re-ingest of unchanged content publishes nothing.
/// </summary>
/// <param name="PaperId">Stable id: the arXiv id without version (<c>2401.01234</c>,
/// <c>hep-th/9901001</c>), or <c>p-</c> plus a hash of the normalised title for papers without one.</param>
/// <param name="Version">1 for the first version seen; higher for revisions.</param>
/// <param name="Title">Whitespace-normalised title; LaTeX kept as written.</param>
/// <param name="Abstract">Whitespace-normalised abstract; LaTeX kept as written.</param>
/// <param name="Authors">Authors in order.</param>
/// <param name="PrimaryCategory">arXiv primary category (<c>cs.LG</c>) when known.</param>
/// <param name="Categories">All categories, primary first.</param>
/// <param name="PublishedOn">Date of the first version, when known.</param>
/// <param name="ListedOn">The day of the daily feed this paper belongs to.</param>
/// <param name="Source">Where it came from: <c>file</c>, <c>submission</c>, <c>arxiv-oai</c>, <c>arxiv-api</c>, <c>hf-daily</c>.</param>
/// <param name="SourceUpvotes">Upvotes the source reported (curated lists), else 0.</param>
/// <param name="Comments">arXiv comments field.</param>
/// <param name="JournalRef">Journal reference.</param>
/// <param name="Doi">The DOI, or the first of several (all of them are in <paramref name="Dois"/>).</param>
/// <param name="License">Licence URL.</param>
/// <param name="AbsUrl">Landing page of the paper at its source.</param>
/// <param name="PdfUrl">Full text.</param>
/// <param name="SubmittedBy">Who submitted it, for user submissions.</param>
/// <param name="ContentHash">Hash of title + abstract + authors: equal hashes mean equal content.</param>
/// <param name="IngestedAt">When Ingest accepted it.</param>
/// <param name="Dois">Every DOI of the paper, in the source's order (a paper and its erratum, say);
/// empty or absent (events from before this field) when there is none beyond <paramref name="Doi"/>.</param>
public record PaperIngested(
    string PaperId,
    int Version,
    string Title,
    string Abstract,
    IReadOnlyList<PaperAuthor> Authors,
    string? PrimaryCategory,
    IReadOnlyList<string> Categories,
    DateOnly? PublishedOn,
    DateOnly ListedOn,
    string Source,
    int SourceUpvotes,
    string? Comments,
    string? JournalRef,
    string? Doi,
    string? License,
    string? AbsUrl,
    string? PdfUrl,
    string? SubmittedBy,
    string ContentHash,
    DateTimeOffset IngestedAt,
    IReadOnlyList<string>? Dois = null);
