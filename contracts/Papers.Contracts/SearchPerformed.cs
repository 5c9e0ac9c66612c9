namespace Papers.Contracts;

/// <summary>Someone searched.</summary>
/// <param name="Query">The query text as given (at most 250 characters).</param>
/// <param name="ResultCount">How many results were returned.</param>
/// <param name="TopPaperIds">Ids of the first results, best first (at most 10).</param>
/// <param name="SearchedAt">When.</param>
public record SearchPerformed(string Query, int ResultCount, IReadOnlyList<string> TopPaperIds, DateTimeOffset SearchedAt);
