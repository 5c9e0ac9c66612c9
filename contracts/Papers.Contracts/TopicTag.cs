namespace Papers.Contracts;

/// <summary>A topic assigned to a paper.</summary>
/// <param name="Topic">Topic id: an arXiv category (<c>cs.LG</c>) or a custom topic slug.</param>
/// <param name="Name">Human-readable name.</param>
/// <param name="Score">Confidence in [0, 1]; higher is more confident.</param>
public record TopicTag(string Topic, string Name, double Score);
