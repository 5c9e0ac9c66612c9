namespace Papers.Training.Learning;

/// <summary>
/// Which examples a model is fitted on and which it is judged on: the newest listing days are held
/// out, as the model will meet papers it has never seen, newer than all it learned from.
/// </summary>
/// <param name="Train">Indexes of the examples to fit on (older).</param>
/// <param name="Validation">Indexes of the examples to judge on (newest).</param>
/// <param name="Rule">How the split was made, for the report.</param>
public sealed record TimeSplit(IReadOnlyList<int> Train, IReadOnlyList<int> Validation, string Rule)
{
    /// <summary>
    /// The examples listed in the last <paramref name="days"/> days (counted back from the newest) are
    /// validation; if that would leave less than half to fit on (most of the harvest is within those
    /// days), the newest <paramref name="share"/> by listing day is held out instead, and the rule says so.
    /// </summary>
    public static TimeSplit Newest(IReadOnlyList<DateOnly> listedOn, int days, double share)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(listedOn.Count, 2);
        var newest = listedOn.Max();
        var from = newest.AddDays(1 - days);
        var validation = Enumerable.Range(0, listedOn.Count).Where(i => listedOn[i] >= from).ToList();
        if (validation.Count * 2 <= listedOn.Count)
            return new TimeSplit(Enumerable.Range(0, listedOn.Count).Where(i => listedOn[i] < from).ToList(), validation,
                $"newest {days} days held out ({from:yyyy-MM-dd} to {newest:yyyy-MM-dd})");
        // Most of the harvest is within the window: hold out the newest share (ties broken by position, the order examples came in).
        var ordered = Enumerable.Range(0, listedOn.Count).OrderBy(i => listedOn[i]).ThenBy(i => i).ToList();
        var held = Math.Max(1, (int)Math.Round(listedOn.Count * share));
        return new TimeSplit(ordered.Take(listedOn.Count - held).ToList(), ordered.Skip(listedOn.Count - held).ToList(),
            $"{validation.Count} of the {listedOn.Count} examples are within the newest {days} days ({from:yyyy-MM-dd} to {newest:yyyy-MM-dd}): the newest {share * 100:0}% by listing day held out instead");
    }
}
