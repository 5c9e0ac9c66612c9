using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Papers.Contracts;

namespace Papers.Domain;

/// <summary>
/// Paper ids as the platform writes them (see <c>contracts/README.md</c>): the arXiv id without
/// version (<c>2401.01234</c>, <c>hep-th/9901001</c>), or <c>p-</c> plus 12 hex digits of a hash of
/// the normalised title for papers without one; and the content hash that says two versions differ.
/// </summary>
public static partial class PaperIds
{
    /// <summary>The arXiv id when there is one, else <c>p-</c> + a hash of the normalised title.</summary>
    public static string FromSource(string? arxivId, string title) =>
        string.IsNullOrWhiteSpace(arxivId) ? "p-" + TitleKey(title)[..12] : arxivId.Trim();

    /// <summary>True for an arXiv id (any form <see cref="ArxivId"/> parses, version allowed) or a <c>p-</c> id.</summary>
    public static bool IsPaperId(string? text) => Normalize(text) is not null;

    /// <summary>The id as the platform stores it (<c>arXiv:2402.16827v2</c> → <c>2402.16827</c>), or null when the text is no paper id.</summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var trimmed = text.Trim();
        return TitleHashId().IsMatch(trimmed) ? trimmed : ArxivId.Normalize(trimmed);
    }

    /// <summary>Hash of the title lower-cased with everything but letters and digits removed: equal for the same title however it is written.</summary>
    public static string TitleKey(string title)
    {
        var normalised = new StringBuilder(title.Length);
        foreach (var c in title.Normalize(NormalizationForm.FormKD))
            if (char.IsLetterOrDigit(c))
                normalised.Append(char.ToLowerInvariant(c));
        return Hash(normalised.ToString());
    }

    /// <summary>Changes when the title, abstract or author list changes, and only then.</summary>
    public static string ContentHash(string title, string @abstract, IEnumerable<PaperAuthor> authors) =>
        Hash(string.Join('\u001f', [title, @abstract, .. authors.Select(a => a.Name)]));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    [GeneratedRegex("^p-[0-9a-f]{12}$")]
    private static partial Regex TitleHashId();
}
