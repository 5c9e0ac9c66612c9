namespace Papers.Contracts;

/// <summary>The Api served a paper's page or JSON.</summary>
/// <param name="PaperId">The paper.</param>
/// <param name="ViewedAt">When.</param>
public record PaperViewed(string PaperId, DateTimeOffset ViewedAt);
