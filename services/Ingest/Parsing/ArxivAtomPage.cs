namespace Papers.Ingest.Parsing;

/// <summary>One arXiv query API response, parsed.</summary>
/// <param name="Papers">The entries in response order.</param>
/// <param name="TotalResults">opensearch:totalResults: how many the query matches in all.</param>
/// <param name="StartIndex">opensearch:startIndex: the <c>start</c> of this page.</param>
/// <param name="ItemsPerPage">opensearch:itemsPerPage: the <c>max_results</c> asked for.</param>
/// <param name="Updated">The feed's own timestamp.</param>
public sealed record ArxivAtomPage(
    IReadOnlyList<SourcePaper> Papers,
    int? TotalResults,
    int? StartIndex,
    int? ItemsPerPage,
    DateTimeOffset? Updated);
