namespace Papers.Contracts;

/// <summary>A subscriber stopped their digests.</summary>
/// <param name="SubscriberId">Pseudonymous subscriber id (the e-mail address is not in the event).</param>
/// <param name="Via">How: <c>one-click</c> (RFC 8058, from the mail client), <c>confirm-page</c> (the button behind the link in a digest), or <c>manage-page</c>.</param>
/// <param name="UnsubscribedAt">When.</param>
public record Unsubscribed(Guid SubscriberId, string Via, DateTimeOffset UnsubscribedAt);
