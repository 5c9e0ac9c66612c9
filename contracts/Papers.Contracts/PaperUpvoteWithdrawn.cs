namespace Papers.Contracts;

/// <summary>A voter took back their upvote of a paper.</summary>
/// <param name="PaperId">The paper.</param>
/// <param name="VoterId">Pseudonymous voter id (never an e-mail address).</param>
/// <param name="Upvotes">The paper's upvote count after this.</param>
/// <param name="WithdrawnAt">When.</param>
public record PaperUpvoteWithdrawn(string PaperId, string VoterId, int Upvotes, DateTimeOffset WithdrawnAt);
