using Papers.Domain;

namespace Papers.Enrichment.Tagging;

/// <summary>A topic papers can be tagged with: an arXiv category, or a custom topic.</summary>
public record Topic(string Id, string Name, string Description, string? Archive = null, string? Group = null)
{
    /// <summary>The text embedded to stand for the topic when it has no examples.</summary>
    public string DescriptionText => string.IsNullOrWhiteSpace(Description) ? Name : $"{Name}. {Description}";
}

/// <summary>The arXiv categories of <see cref="ArxivTaxonomy"/> as topics to tag with.</summary>
public static class ArxivTopics
{
    public static IReadOnlyList<Topic> Categories { get; } =
        ArxivTaxonomy.Categories.Select(c => new Topic(c.Id, c.Name, c.Description, c.Archive, c.Group)).ToList();
}
