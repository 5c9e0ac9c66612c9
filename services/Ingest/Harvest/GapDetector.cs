using Papers.Domain;

namespace Papers.Ingest.Harvest;

/// <summary>A run of consecutive new-style arXiv ids that a harvest did not see.</summary>
public sealed record IdGap(string First, string Last, int Count)
{
    public override string ToString() => Count == 1 ? First : $"{First}–{Last}";
}

/// <summary>
/// Finds the new-style ids missing between those a harvest saw. arXiv numbers new submissions
/// consecutively within a month, so a hole in the numbers is a paper the harvest missed (or one
/// withdrawn before announcement, which a backfill by id then confirms). Feed it the new
/// submissions of an unfiltered harvest: a harvest of one set skips other fields' ids by design,
/// and replacements of old papers are not part of a day's range.
/// </summary>
public static class GapDetector
{
    /// <param name="harvestedIds">The ids seen (with or without version, any accepted form);
    /// old-style and unparseable ids are ignored, duplicates are harmless.</param>
    /// <param name="lastIdBefore">The highest id of the previous harvest, when known: the ids
    /// between it and the lowest id seen now are reported too (from <c>YYMM.00001</c> when this
    /// harvest starts a new month).</param>
    public static IReadOnlyList<IdGap> FindGaps(IEnumerable<string> harvestedIds, string? lastIdBefore = null)
    {
        var byMonth = harvestedIds
            .Select(s => ArxivId.TryParse(s, out var id) ? id : (ArxivId?)null)
            .Where(id => id is { IsNewStyle: true })
            .Select(id => id!.Value)
            .GroupBy(id => id.YearMonth)
            .OrderBy(g => g.Key);

        // The last id known before the month being checked: the previous harvest's, then each
        // month's highest (a later month in the same harvest starts from 00001).
        (int YearMonth, int Number)? previous =
            ArxivId.TryParse(lastIdBefore, out var b) && b.IsNewStyle ? (b.YearMonth, b.Number) : null;
        var gaps = new List<IdGap>();
        foreach (var month in byMonth)
        {
            var numbers = month.Select(id => id.Number).Distinct().Order().ToArray();
            var expectedNext = previous switch
            {
                { } last when last.YearMonth == month.Key => last.Number + 1,
                { } last when last.YearMonth < month.Key => 1,
                _ => numbers[0],
            };
            foreach (var number in numbers)
            {
                if (number > expectedNext)
                    gaps.Add(Gap(month.Key, expectedNext, number - 1));
                expectedNext = Math.Max(expectedNext, number + 1);
            }

            previous = (month.Key, numbers[^1]);
        }

        return gaps;
    }

    private static IdGap Gap(int yearMonth, int first, int last) =>
        new(ArxivId.Format(yearMonth, first), ArxivId.Format(yearMonth, last), last - first + 1);
}
