using System.Net;
using System.Text.RegularExpressions;

namespace Papers.Analytics.Archive;

/// <summary>
/// The archive holds pseudonymous ids only, never e-mail addresses or client addresses. Fields
/// whose name says they hold one (<c>Email</c>, <c>IpAddress</c>, <c>ClientAddress</c>…) are never
/// archived; any other text that is an e-mail address, or wholly an IP address, is replaced by a
/// marker before it is written (a search for someone's address keeps the search, not the address).
/// Events that carry a search query keep no identity at all: their voter, visitor, user, session
/// or subscriber fields are dropped.
/// </summary>
public static partial class ArchivePrivacy
{
    public const string EmailMarker = "[email]";
    public const string AddressMarker = "[ip]";

    private static readonly string[] AddressWords = ["email", "mail", "ip", "address"];
    private static readonly string[] IdentityWords = ["voter", "visitor", "user", "session", "subscriber", "client", "submitted", "by"];

    /// <summary>Why a field of <paramref name="type"/> is not archived, or null when it is.</summary>
    public static string? DropReason(Type type, string property, ISet<string> dropFields)
    {
        var words = Words(property);
        if (words.Any(w => AddressWords.Contains(w)))
            return "it names an e-mail or network address";
        if (type.GetProperty("Query") is not null && words.Any(w => IdentityWords.Contains(w)))
            return "searches are kept without any identity";
        if (dropFields.Contains($"{type.Name}.{property}"))
            return $"Analytics:DropFields names it";
        return null;
    }

    /// <summary>The text with e-mail addresses replaced, or a marker when it is an IP address.</summary>
    public static string? Redact(string? text, out bool redacted)
    {
        redacted = false;
        if (string.IsNullOrEmpty(text))
            return text;
        if (text.Contains('@') && Email().IsMatch(text))
        {
            redacted = true;
            return Email().Replace(text, EmailMarker);
        }
        if (LooksLikeAddress(text) && IPAddress.TryParse(text.Trim(), out _))
        {
            redacted = true;
            return AddressMarker;
        }
        return text;
    }

    /// <summary>Only a dotted quad or colon-separated hex is checked: <c>IPAddress.TryParse</c> alone takes "1.2" for an address.</summary>
    private static bool LooksLikeAddress(string text) => text.Length <= 45 && (DottedQuad().IsMatch(text) || (text.Contains(':') && text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.' or '%' or ' ')));

    private static IEnumerable<string> Words(string pascal) => SplitWords().Matches(pascal).Select(m => m.Value.ToLowerInvariant());

    [GeneratedRegex(@"[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"^\s*\d{1,3}(\.\d{1,3}){3}\s*$")]
    private static partial Regex DottedQuad();

    [GeneratedRegex(@"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")]
    private static partial Regex SplitWords();
}
