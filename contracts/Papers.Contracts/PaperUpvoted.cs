namespace Papers.Contracts;

/// <summary>A voter upvoted a paper (first vote of that voter on that paper only).</summary>
/// <param name="PaperId">The paper.</param>
/// <param name="VoterId">Pseudonymous voter id (never an e-mail address).</param>
/// <param name="Upvotes">The paper's upvote count after this vote.</param>
/// <param name="UpvotedAt">When.</param>
public record PaperUpvoted(string PaperId, string VoterId, int Upvotes, DateTimeOffset UpvotedAt);
