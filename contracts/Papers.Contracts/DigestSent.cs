namespace Papers.Contracts;

/// <summary>A digest e-mail was handed to the mail transport.</summary>
/// <param name="DigestId">Unique id of this delivery.</param>
/// <param name="SubscriberId">Pseudonymous subscriber id (the e-mail address is not in the event).</param>
/// <param name="Topics">The topics the subscriber follows.</param>
/// <param name="PaperIds">Papers in the digest, in the order shown.</param>
/// <param name="SentAt">When.</param>
public record DigestSent(Guid DigestId, Guid SubscriberId, IReadOnlyList<string> Topics, IReadOnlyList<string> PaperIds, DateTimeOffset SentAt);
