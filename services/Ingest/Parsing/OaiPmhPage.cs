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
/// <param name="Failures">Records that could not be read; the rest of the page is still good.</param>
/// <param name="RecordIds">The OAI identifiers of the records that were read, deleted ones included.</param>
public sealed record OaiPmhPage(
    IReadOnlyList<SourcePaper> Papers,
    IReadOnlyList<string> DeletedIds,
    string? ResumptionToken,
    int? CompleteListSize,
    int? Cursor,
    DateTimeOffset? TokenExpires,
    DateTimeOffset? ResponseDate,
    DateOnly? LatestDatestamp,
    bool NoRecordsMatch = false,
    IReadOnlyList<RecordFailure>? Failures = null,
    IReadOnlyList<string>? RecordIds = null)
{
    public bool IsLastPage => string.IsNullOrWhiteSpace(ResumptionToken);

    /// <summary>The unreadable records (never null).</summary>
    public IReadOnlyList<RecordFailure> FailedRecords => Failures ?? [];

    /// <summary>The identifiers of the records read (never null).</summary>
    public IReadOnlyList<string> ReadRecordIds => RecordIds ?? [];

    /// <summary>The page's readable records and its failures as a <see cref="ParseResult"/> (deleted records included).</summary>
    public ParseResult ToParseResult(string source) =>
        new(Papers, [.. FailedRecords.Select(f => new ParseProblem(source, f.Line, f.Position, $"{f.RecordId}: {f.Reason}"))]);
}

/// <summary>One record of a page that could not be read: reported, quarantined, and skipped.</summary>
/// <param name="RecordId">The record's OAI identifier as the header gave it, or <c>record N</c> (its place on the page) without one.</param>
/// <param name="Reason">What is wrong with it.</param>
/// <param name="Content">The record's XML as received, so that an operator can see it and it can be replayed.</param>
public sealed record RecordFailure(string RecordId, string Reason, int? Line, int? Position, string Content);
