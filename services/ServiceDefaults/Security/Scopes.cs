namespace Papers.ServiceDefaults.Security;

/// <summary>What a caller may do besides reading public data. Claims of type <see cref="ClaimType"/>.</summary>
public static class Scopes
{
    public const string ClaimType = "scope";

    /// <summary>Upvote papers (visitors with the signed cookie have it too).</summary>
    public const string Vote = "vote";

    /// <summary>Submit papers (visitors with the signed cookie have it too).</summary>
    public const string Submit = "submit";

    /// <summary>Moderation, key management, digest runs: everything.</summary>
    public const string Admin = "admin";

    /// <summary>
    /// Read any account's "for you" recommendations: the key of the Notifications service, which
    /// writes "for you" digests. Only this scope: an admin key does not read people's libraries.
    /// </summary>
    public const string Library = "library";

    public static readonly IReadOnlyList<string> All = [Vote, Submit, Admin, Library];
}

/// <summary>The authorization policies endpoints name.</summary>
public static class Policies
{
    /// <summary>A key with the <c>admin</c> scope.</summary>
    public const string Admin = "admin";

    /// <summary>A visitor with the signed cookie, or a key with <c>vote</c> (or <c>admin</c>).</summary>
    public const string Vote = "vote";

    /// <summary>A visitor with the signed cookie, or a key with <c>submit</c> (or <c>admin</c>).</summary>
    public const string Submit = "submit";

    /// <summary>A visitor signed in to an account (OpenID Connect).</summary>
    public const string Account = "account";

    /// <summary>A key with the <c>library</c> scope (the service that writes "for you" digests); <c>admin</c> is not enough.</summary>
    public const string Library = "library";
}
