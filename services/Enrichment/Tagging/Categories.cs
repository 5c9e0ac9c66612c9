namespace Papers.Enrichment.Tagging;

/// <summary>
/// Category ids as arXiv writes them over the years, brought to today's taxonomy: archives it
/// subsumed (<c>funct-an</c> → <c>math.FA</c>), aliases to their canonical name
/// (<c>math.IT</c> → <c>cs.IT</c>), and bare archives of old papers (<c>astro-ph</c>) kept as
/// coarse labels that any category of the archive matches.
/// </summary>
public static class Categories
{
    /// <summary>Subsumed archives and alias pairs (arxiv-base <c>taxonomy/definitions.py</c>).</summary>
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.OrdinalIgnoreCase)
    {
        ["acc-phys"] = "physics.acc-ph",
        ["adap-org"] = "nlin.AO",
        ["alg-geom"] = "math.AG",
        ["ao-sci"] = "physics.ao-ph",
        ["atom-ph"] = "physics.atom-ph",
        ["bayes-an"] = "physics.data-an",
        ["chao-dyn"] = "nlin.CD",
        ["chem-ph"] = "physics.chem-ph",
        ["cmp-lg"] = "cs.CL",
        ["comp-gas"] = "nlin.CG",
        ["dg-ga"] = "math.DG",
        ["funct-an"] = "math.FA",
        ["mtrl-th"] = "cond-mat.mtrl-sci",
        ["patt-sol"] = "nlin.PS",
        ["plasm-ph"] = "physics.plasm-ph",
        ["q-alg"] = "math.QA",
        ["solv-int"] = "nlin.SI",
        ["supr-con"] = "cond-mat.supr-con",
        ["math.MP"] = "math-ph",
        ["math.IT"] = "cs.IT",
        ["stat.TH"] = "math.ST",
        ["cs.SY"] = "eess.SY",
        ["q-fin.EC"] = "econ.GN",
        ["cs.NA"] = "math.NA",
    };

    private static readonly Lazy<HashSet<string>> Known = new(() => ArxivTopics.Categories.Select(c => c.Id).ToHashSet(StringComparer.Ordinal));

    private static readonly Lazy<HashSet<string>> Archives = new(() => ArxivTopics.Categories
        .Where(c => c.Id.Contains('.', StringComparison.Ordinal)).Select(c => c.Archive!).ToHashSet(StringComparer.Ordinal));

    /// <summary>Categories a model predicts: the taxonomy without the alias halves.</summary>
    public static IReadOnlyList<Topic> Predictable { get; } = ArxivTopics.Categories.Where(c => !Renamed.ContainsKey(c.Id)).ToList();

    /// <summary>True for a bare archive that has categories (<c>astro-ph</c>, <c>cond-mat</c>): a coarse label.</summary>
    public static bool IsCoarse(string label) => Archives.Value.Contains(label);

    /// <summary>The archive of a category (<c>cs</c> of <c>cs.LG</c>; <c>hep-th</c> of itself).</summary>
    public static string ArchiveOf(string category)
    {
        var dot = category.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? category : category[..dot];
    }

    /// <summary>True when a predicted category answers a gold label: equal, or inside a coarse label's archive.</summary>
    public static bool Matches(string predicted, string gold) =>
        predicted == gold || IsCoarse(gold) && ArchiveOf(predicted) == gold;

    /// <summary>Today's ids for <paramref name="raw"/>, order kept (primary first), duplicates and unknown ids dropped.</summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> raw)
    {
        var result = new List<string>();
        foreach (var r in raw)
        {
            var id = r.Trim();
            if (id.Length == 0)
                continue;
            if (Renamed.TryGetValue(id, out var renamed))
                id = renamed;
            if ((Known.Value.Contains(id) || IsCoarse(id)) && !result.Contains(id))
                result.Add(id);
        }
        return result;
    }
}
