using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Mail;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Subscriptions;

/// <summary>
/// Addresses a digest can actually reach, decided before anything is stored: one plain address
/// (no display name), at most 254 characters (RFC 5321) with a local part of at most 64, an IDN
/// domain turned into punycode, a non-ASCII local part only when the SMTP server speaks SMTPUTF8,
/// and only what the mail library (MimeKit) can address a mail to.
/// </summary>
public static class EmailAddresses
{
    public const int MaxLength = 254, MaxLocalPart = 64;

    public static bool TryNormalize(string? text, bool smtpUtf8, [NotNullWhen(true)] out string? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        var trimmed = text?.Trim() ?? "";
        var at = trimmed.LastIndexOf('@');
        if (trimmed.Length == 0 || at <= 0 || at == trimmed.Length - 1 || trimmed.Length > 4 * MaxLength)
        {
            error = $"email must be one e-mail address such as name@example.org; got '{Problems.Echo(text)}'.";
            return false;
        }
        var local = trimmed[..at];
        string domain;
        try
        {
            domain = new IdnMapping { UseStd3AsciiRules = true }.GetAscii(trimmed[(at + 1)..]).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            error = $"The domain of '{Problems.Echo(text)}' is not a valid domain name.";
            return false;
        }
        var candidate = $"{local}@{domain}";
        // Both parsers must take it: .NET's, and MimeKit's, which writes the mails (it refuses a few that
        // .NET accepts, such as a local part ending in a dot, and would fail every mail to them).
        if (!MailAddress.TryCreate(candidate, out var parsed) || parsed.Address != candidate || parsed.DisplayName.Length > 0 || !domain.Contains('.')
            || !MimeKit.MailboxAddress.TryParse(candidate, out var mailbox) || !string.IsNullOrEmpty(mailbox.Name))
        {
            error = $"email must be one e-mail address such as name@example.org; got '{Problems.Echo(text)}'.";
            return false;
        }
        if (!local.All(char.IsAscii) && !smtpUtf8)
        {
            error = "This server cannot deliver to addresses with non-ASCII characters before the @ (it would need SMTPUTF8); use an ASCII address.";
            return false;
        }
        if (local.Length > MaxLocalPart || candidate.Length > MaxLength)
        {
            error = $"An e-mail address has at most {MaxLength} characters, {MaxLocalPart} of them before the @; this one has {candidate.Length}.";
            return false;
        }
        address = candidate;
        error = null;
        return true;
    }
}
