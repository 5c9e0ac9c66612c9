namespace Papers.Ingest.Parsing;

/// <summary>One OAI-PMH ListRecords or GetRecord response, parsed.</summary>
/// <param name="Papers">The records in page order; deleted records are included with
/// <see cref="SourcePaper.Deleted"/> set, so that Ingest can withdraw them.</param>
/// <param name="DeletedIds">The arXiv ids of the deleted records, for convenience.</param>
/// <param name="ResumptionToken">The token for the next page; null or empty on the last page.</param>
/// <param name="CompleteListSize">The size of the whole list, when the repository told it.</param>
/// <param name="Cursor">The position of this page's first record in the whole list.</param>
/// <param name="TokenExpires">When the token stops working (arXiv: at UTC midnight).</param>
/// <param name="ResponseDate">The repository's clock when it answered.</param>
/// <param name="LatestDatestamp">The newest record datestamp on the page.</param>
/// <param name="NoRecordsMatch">The repository answered <c>noRecordsMatch</c>: an empty, final page.</param>
public sealed record OaiPmhPage(
    IReadOnlyList<SourcePaper> Papers,
    IReadOnlyList<string> DeletedIds,
    string? ResumptionToken,
    int? CompleteListSize,
    int? Cursor,
    DateTimeOffset? TokenExpires,
    DateTimeOffset? ResponseDate,
    DateOnly? LatestDatestamp,
    bool NoRecordsMatch = false)
{
    public bool IsLastPage => string.IsNullOrWhiteSpace(ResumptionToken);
}
