using System.Text.Json;

namespace Papers.Enrichment.Tagging;

/// <summary>A topic papers can be tagged with: an arXiv category, or a custom topic.</summary>
public record Topic(string Id, string Name, string Description, string? Archive = null, string? Group = null)
{
    /// <summary>The text embedded to stand for the topic when it has no examples.</summary>
    public string DescriptionText => string.IsNullOrWhiteSpace(Description) ? Name : $"{Name}. {Description}";
}

/// <summary>The 155 active arXiv categories with names and descriptions (embedded resource).</summary>
public static class ArxivTaxonomy
{
    private static readonly Lazy<IReadOnlyList<Topic>> All = new(Load);

    public static IReadOnlyList<Topic> Categories => All.Value;

    private static IReadOnlyList<Topic> Load()
    {
        using var stream = typeof(ArxivTaxonomy).Assembly.GetManifestResourceStream("arxiv-categories.json")
            ?? throw new InvalidOperationException("The arXiv taxonomy resource is missing from the Enrichment assembly.");
        var rows = JsonSerializer.Deserialize<List<Row>>(stream, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidOperationException("The arXiv taxonomy resource is empty.");
        return rows.Select(r => new Topic(r.Id, r.Name, r.Description ?? "", r.Archive, r.Group)).ToList();
    }

    private sealed record Row(string Id, string Name, string? Archive, string? Group, string? Description);
}
