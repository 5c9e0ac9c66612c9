using System.Text.RegularExpressions;

namespace Papers.Enrichment.Tagging;

/// <summary>
/// A topic an operator defines in configuration (section <c>Topics</c>, a list): by name, and
/// a description and/or the texts (title and abstract) of example papers.
/// </summary>
public sealed partial class CustomTopic
{
    /// <summary>Tag id; defaults to the name in kebab case (<c>data-selection-for-llms</c>).</summary>
    public string? Id { get; set; }

    public string Name { get; set; } = "";

    public string? Description { get; set; }

    public List<string> Examples { get; set; } = [];

    internal string EffectiveId => string.IsNullOrWhiteSpace(Id) ? Slug().Replace(Name.ToLowerInvariant(), "-").Trim('-') : Id.Trim();

    /// <summary>The text embedded for the topic itself.</summary>
    internal string DescriptionText => string.IsNullOrWhiteSpace(Description) ? Name : $"{Name}. {Description}";

    [GeneratedRegex(@"[^\p{L}\p{N}]+")]
    private static partial Regex Slug();
}

/// <summary>Section <c>Tagging</c>.</summary>
public sealed class TaggerOptions
{
    public const string Section = "Tagging";

    /// <summary>A tagger model file written by <c>train</c>, in place of the embedded one (needed after a change of embedding model).</summary>
    public string? ModelPath { get; set; }

    /// <summary>How often a replica asks Training for the promoted model besides the <c>TaggerModelPromoted</c> events (10 minutes).</summary>
    public TimeSpan RefreshEvery { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>The configured custom topics.</summary>
public sealed class CustomTopicsOptions
{
    public const string Section = "Topics";

    public List<CustomTopic> Topics { get; set; } = [];

    internal void Validate()
    {
        foreach (var t in Topics)
        {
            if (string.IsNullOrWhiteSpace(t.Name))
                throw new InvalidOperationException("Every entry of Topics needs a Name.");
            if (t.EffectiveId.Length == 0)
                throw new InvalidOperationException($"Topic '{t.Name}' needs an Id: its name has no letters or digits to make one from.");
        }
        var duplicate = Topics.GroupBy(t => t.EffectiveId, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Two entries of Topics have the id '{duplicate.Key}'; give one an Id of its own.");
        var clash = Topics.FirstOrDefault(t => ArxivTopics.Categories.Any(c => string.Equals(c.Id, t.EffectiveId, StringComparison.OrdinalIgnoreCase)));
        if (clash is not null)
            throw new InvalidOperationException($"Topic '{clash.Name}' has the id of an arXiv category ('{clash.EffectiveId}'); give it an Id of its own.");
    }
}
