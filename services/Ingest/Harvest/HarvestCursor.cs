using Papers.Ingest.Parsing;

namespace Papers.Ingest.Harvest;

/// <summary>
/// Where a harvest of one source stands. Saved only after a page's papers were handed on, so a
/// restart never skips a page; it may repeat the last one, which Ingest de-duplicates.
/// </summary>
/// <param name="Source">The harvested stream, e.g. <c>arxiv-oai:arXivRaw:cs:cs:LG</c>.</param>
/// <param name="From">The <c>from</c> date: of the harvest in progress when a token is pending,
/// otherwise of the next harvest (the date the last successful one started).</param>
/// <param name="ResumptionToken">The page still to fetch of a harvest in progress, or null.</param>
/// <param name="HarvestDate">The repository's date when the harvest in progress began; it becomes
/// the next <paramref name="From"/> once the harvest completes.</param>
/// <param name="UpdatedAt">When this cursor was saved.</param>
/// <param name="LatestDatestamp">The newest record datestamp handed on so far (harvest lag is
/// measured from it); null when the source never said.</param>
public sealed record HarvestCursor(
    string Source,
    DateOnly? From,
    string? ResumptionToken,
    DateOnly? HarvestDate,
    DateTimeOffset UpdatedAt,
    DateOnly? LatestDatestamp = null);

/// <summary>Stores harvest cursors durably (the Ingest database).</summary>
public interface IHarvestCursorStore
{
    Task<HarvestCursor?> GetAsync(string source, CancellationToken ct);

    Task SaveAsync(HarvestCursor cursor, CancellationToken ct);
}

/// <summary>Takes a page of harvested papers into Ingest. The harvester saves its cursor only after
/// this returns: either the papers are already safe (stored or published), or — the Ingest
/// database's sink — they are staged and commit together with that cursor save, so that the
/// cursor never gets ahead of the papers.</summary>
public interface IPaperSink
{
    Task HandOnAsync(IReadOnlyList<SourcePaper> papers, CancellationToken ct);

    /// <summary>Keeps records that could not be read where an operator sees them, and releases
    /// those quarantined before that were read now (fixed upstream); like papers, both take effect
    /// with the cursor save that follows.</summary>
    Task QuarantineAsync(string source, IReadOnlyList<RecordFailure> failures, IReadOnlyList<string> readRecordIds, CancellationToken ct);
}

/// <summary>What one harvest run did.</summary>
/// <param name="Source">The cursor key harvested.</param>
/// <param name="Pages">Pages fetched and handed on.</param>
/// <param name="Papers">Papers handed on (deleted records included).</param>
/// <param name="Deleted">Deleted records among them.</param>
/// <param name="Failed">Records that could not be read (quarantined, not handed on).</param>
/// <param name="Throttled">503 answers waited out.</param>
/// <param name="From">The <c>from</c> date the run harvested from.</param>
/// <param name="NextFrom">The <c>from</c> the next run will use.</param>
/// <param name="Resumed">The run continued a harvest interrupted earlier.</param>
/// <param name="LatestDatestamp">The newest record datestamp seen (or remembered from before).</param>
public sealed record HarvestResult(
    string Source,
    int Pages,
    int Papers,
    int Deleted,
    int Failed,
    int Throttled,
    DateOnly? From,
    DateOnly? NextFrom,
    bool Resumed,
    DateOnly? LatestDatestamp = null);
