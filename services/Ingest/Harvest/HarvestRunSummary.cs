using System.Globalization;

namespace Papers.Ingest.Harvest;

/// <summary>What one harvest run of one source did.</summary>
/// <param name="Skipped">Deleted records, which are not ingested.</param>
/// <param name="Failures">Why items or the run itself failed: unreadable (quarantined) records, or the error that stopped the run.</param>
/// <param name="Gaps">New-style ids missing from an OAI-PMH harvest; empty for other sources.</param>
public sealed record HarvestRunSummary(
    string Source,
    int Fetched,
    int New,
    int Revised,
    int Unchanged,
    int Skipped,
    IReadOnlyList<string> Failures,
    IReadOnlyList<IdGap> Gaps,
    DateOnly? LatestDatestamp)
{
    public bool Succeeded => Failures.Count == 0;

    internal static HarvestRunSummary From(string source, HarvestTally tally, IReadOnlyList<string> failures, IReadOnlyList<IdGap>? gaps = null, DateOnly? latest = null) =>
        new(source, tally.Fetched, tally.New, tally.Revised, tally.Unchanged, tally.Deleted, [.. tally.Quarantined, .. failures], gaps ?? [], latest);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Source}: fetched {Fetched}, new {New}, revised {Revised}, unchanged {Unchanged}, skipped {Skipped}, failed {Failures.Count}") +
        (Gaps.Count > 0 ? $", {Gaps.Sum(g => g.Count)} ids missing ({string.Join(", ", Gaps.Take(10))}{(Gaps.Count > 10 ? ", …" : "")})" : "");
}
