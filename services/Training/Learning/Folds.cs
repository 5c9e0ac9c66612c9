namespace Papers.Training.Learning;

/// <summary>k-fold cross-validation stratified by primary category: each category's papers are dealt round the folds in a seeded random order.</summary>
internal static class Folds
{
    /// <summary>The fold (0 … k-1) of each paper.</summary>
    public static int[] Assign(IReadOnlyList<string> primaries, int k, int seed)
    {
        var random = new Random(seed);
        var folds = new int[primaries.Count];
        var next = random.Next(k);
        foreach (var group in Enumerable.Range(0, primaries.Count).GroupBy(i => primaries[i]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            // Continue the deal where the last category stopped, so small categories don't all land in fold 0.
            foreach (var i in members)
                folds[i] = next++ % k;
        }
        return folds;
    }
}
