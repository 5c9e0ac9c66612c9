using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Papers.Notifications.Data;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Subscriptions;

/// <summary>
/// The signed, expiring links mailed to a subscriber: confirm (double opt-in) and manage. Signed
/// with the Data Protection key ring every replica and service shares, so a link works on any
/// replica and after restarts; a link names the subscriber and the address it was sent to, so it
/// stops working if either changes.
/// </summary>
public sealed class SubscriptionLinks(IDataProtectionProvider protection, IOptions<PublicSiteOptions> site, TimeProvider clock)
{
    public static readonly TimeSpan ConfirmFor = TimeSpan.FromDays(7), ManageFor = TimeSpan.FromDays(90);

    private readonly ITimeLimitedDataProtector _confirm = protection.CreateProtector("Papers.Subscriptions.Confirm").ToTimeLimitedDataProtector();
    private readonly ITimeLimitedDataProtector _manage = protection.CreateProtector("Papers.Subscriptions.Manage").ToTimeLimitedDataProtector();

    public string ConfirmUrl(Subscriber s) => site.Value.Link($"api/subscriptions/confirm?token={Uri.EscapeDataString(Token(_confirm, s, ConfirmFor))}");

    /// <summary>The manage API (<c>GET</c>/<c>PUT</c> JSON); the same token works on the page and for the preview.</summary>
    public string ManageUrl(Subscriber s) => site.Value.Link($"api/subscriptions/manage?token={Uri.EscapeDataString(Token(_manage, s, ManageFor))}");

    /// <summary>The manage page (a form), the link mails carry.</summary>
    public string ManagePageUrl(Subscriber s) => site.Value.Link($"subscriptions/manage?token={Uri.EscapeDataString(Token(_manage, s, ManageFor))}");

    /// <summary>The subscriber id a confirm link names, or null when it is forged, expired or malformed.</summary>
    public (Guid Id, string Email)? ReadConfirm(string? token) => Read(_confirm, token);

    public (Guid Id, string Email)? ReadManage(string? token) => Read(_manage, token);

    private string Token(ITimeLimitedDataProtector protector, Subscriber s, TimeSpan lifetime) =>
        protector.Protect($"{s.Id:N}|{s.Email}", clock.GetUtcNow() + lifetime);

    private static (Guid, string)? Read(ITimeLimitedDataProtector protector, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2_000)
            return null;
        try
        {
            var parts = protector.Unprotect(token, out _).Split('|', 2);
            return parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out var id) ? (id, parts[1]) : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
