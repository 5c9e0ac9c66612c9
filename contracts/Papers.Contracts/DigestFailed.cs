namespace Papers.Contracts;

/// <summary>A digest could not be delivered and will not be tried again.</summary>
/// <param name="DigestId">The delivery (the same id a <see cref="DigestSent"/> of it would have carried).</param>
/// <param name="SubscriberId">Pseudonymous subscriber id (the e-mail address is not in the event, nor the server's reply, which may quote it).</param>
/// <param name="Period">The schedule period (<c>daily-2026-11-30</c>, <c>weekly-2026-11-30</c>, in the subscriber's time zone).</param>
/// <param name="SmtpStatus">The SMTP reply code (550), or null when no server answered.</param>
/// <param name="Permanent">A permanent refusal (5xx), or temporary failures that went on past the last attempt.</param>
/// <param name="AddressPaused">This failure paused the address's digests (repeated permanent failures).</param>
/// <param name="FailedAt">When.</param>
public record DigestFailed(Guid DigestId, Guid SubscriberId, string Period, int? SmtpStatus, bool Permanent, bool AddressPaused, DateTimeOffset FailedAt);
