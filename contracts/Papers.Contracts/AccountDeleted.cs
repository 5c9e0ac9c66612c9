namespace Papers.Contracts;

/// <summary>Someone deleted their account: whatever another service tied to it (Notifications: the link to a subscription) goes.</summary>
/// <param name="AccountId">The account, which never comes back (a later event of it is stale).</param>
/// <param name="DeletedAt">When.</param>
public record AccountDeleted(Guid AccountId, DateTimeOffset DeletedAt);
