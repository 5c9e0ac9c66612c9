using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Papers.Domain;

/// <summary>An active arXiv category (<c>cs.CL</c>, <c>hep-th</c>) with its name and description.</summary>
public sealed record ArxivCategory(string Id, string Name, string Description, string? Archive, string? Group);

/// <summary>
/// The 155 active arXiv categories (embedded <c>arxiv-categories.json</c>, see SOURCES.md): the one
/// list that tagging, digests and validation agree on.
/// </summary>
public static class ArxivTaxonomy
{
    private static readonly Lazy<IReadOnlyList<ArxivCategory>> All = new(Load);
    private static readonly Lazy<Dictionary<string, ArxivCategory>> ById = new(() =>
        All.Value.ToDictionary(c => c.Id, StringComparer.OrdinalIgnoreCase));

    public static IReadOnlyList<ArxivCategory> Categories => All.Value;

    /// <summary>The category a text names, ignoring case (<c>cs.cl</c> is <c>cs.CL</c>); false for anything else.</summary>
    public static bool TryGet(string? text, [NotNullWhen(true)] out ArxivCategory? category)
    {
        category = null;
        return text is not null && ById.Value.TryGetValue(text.Trim(), out category);
    }

    /// <summary>True when the text names an active arXiv category (ignoring case).</summary>
    public static bool IsCategory(string? text) => TryGet(text, out _);

    private static IReadOnlyList<ArxivCategory> Load()
    {
        using var stream = typeof(ArxivTaxonomy).Assembly.GetManifestResourceStream("arxiv-categories.json")
            ?? throw new InvalidOperationException("The arXiv taxonomy resource is missing from Papers.Domain.");
        var rows = JsonSerializer.Deserialize<List<Row>>(stream, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidOperationException("The arXiv taxonomy resource is empty.");
        return rows.Select(r => new ArxivCategory(r.Id, r.Name, r.Description ?? "", r.Archive, r.Group)).ToList();
    }

    private sealed record Row(string Id, string Name, string? Archive, string? Group, string? Description);
}
