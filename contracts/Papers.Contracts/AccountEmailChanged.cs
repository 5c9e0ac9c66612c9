namespace Papers.Contracts;

/// <summary>
/// The address an account's sign-in provider vouches for changed: a new account with a verified
/// address, another verified address, or none any more. Notifications links the account to the
/// subscription of that address (a "for you" digest reads the account's library). The one message
/// that carries an e-mail address: it exists to say which address is the account's. The analytics
/// archive drops it by the field's name (it names an e-mail address).
/// </summary>
/// <param name="AccountId">The account (a random id; the Api alone knows whose it is).</param>
/// <param name="VerifiedEmail">The address, only when the provider said <c>email_verified</c>; null when it no longer vouches for one (the link goes).</param>
/// <param name="ChangedAt">When the account signed in with it; of two events for one account, the later wins.</param>
public record AccountEmailChanged(Guid AccountId, string? VerifiedEmail, DateTimeOffset ChangedAt);
