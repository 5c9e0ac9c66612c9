using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Papers.Contracts;

namespace Papers.Domain;

/// <summary>
/// Paper ids as the platform writes them (see <c>contracts/README.md</c>): the arXiv id without
/// version (<c>2401.01234</c>, <c>hep-th/9901001</c>), or <c>p-</c> plus 12 hex digits of a hash for
/// papers without one; and the content hash that says two versions differ.
/// </summary>
/// <remarks>
/// A <c>p-</c> id first hashed the normalised title alone (<see cref="FromSource"/>), which merges
/// distinct papers that share a title. New ones hash the paper's <see cref="IdentityKey"/> — the
/// strongest identifier the source gave — instead (<see cref="FromIdentity"/>). Ids already given
/// stay valid: Ingest keeps a title id for the paper it was given to (see <c>SeenPaper.IdentityKey</c>).
/// </remarks>
public static partial class PaperIds
{
    /// <summary>The arXiv id when there is one, else <c>p-</c> + a hash of the normalised title: the
    /// id papers without arXiv id were given before identity keys, still valid for them.</summary>
    public static string FromSource(string? arxivId, string title) =>
        string.IsNullOrWhiteSpace(arxivId) ? "p-" + TitleKey(title)[..12] : arxivId.Trim();

    /// <summary><c>p-</c> + a hash of an <see cref="IdentityKey"/>.</summary>
    public static string FromIdentity(string identityKey) => "p-" + Hash(identityKey)[..12];

    /// <summary>
    /// What a paper without arXiv id is known by, strongest first: its first DOI (<c>doi:10.1/x</c>,
    /// lower-cased: DOIs are case-insensitive), else its first external id (<c>s2:…</c>,
    /// <c>openalex:W…</c>, <c>oai:repo:123</c>: a catalogue's or the source's own), else its title +
    /// the first author's surname + the year. Never the title alone: two papers sharing a title
    /// (or a title with no letters, <c>!!!</c>) are told apart by author and year, and a paper
    /// with neither by its abstract (a revised abstract then reads as another paper, which is
    /// better than overwriting a different paper with it).
    /// </summary>
    public static string IdentityKey(IEnumerable<string>? dois, IEnumerable<string>? externalIds, string title, string? firstAuthor, int? year, string? @abstract = null)
    {
        if (dois?.Select(d => d.Trim()).FirstOrDefault(d => d.Length > 0) is { } doi)
            return "doi:" + doi.ToLowerInvariant();
        if (externalIds?.Select(e => e.Trim()).FirstOrDefault(e => e.Length > 0) is { } external)
            return "id:" + external;
        var titleText = LettersAndDigits(title);
        // A title of punctuation only still tells "!!!" from "???".
        if (titleText.Length == 0)
            titleText = "raw:" + title.Trim();
        var surname = LettersAndDigits(firstAuthor?.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty);
        var key = string.Create(CultureInfo.InvariantCulture, $"title:{titleText}|author:{surname}|year:{year}");
        return surname.Length == 0 && year is null ? $"{key}|abstract:{Hash(LettersAndDigits(@abstract ?? string.Empty))}" : key;
    }

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
    public static string TitleKey(string title) => Hash(LettersAndDigits(title));

    /// <summary>The text lower-cased, accents split off, everything but letters and digits removed.</summary>
    private static string LettersAndDigits(string text)
    {
        var normalised = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKD))
            if (char.IsLetterOrDigit(c))
                normalised.Append(char.ToLowerInvariant(c));
        return normalised.ToString();
    }

    /// <summary>Changes when the title, abstract or author list changes, and only then.</summary>
    public static string ContentHash(string title, string @abstract, IEnumerable<PaperAuthor> authors) =>
        Hash(string.Join('\u001f', [title, @abstract, .. authors.Select(a => a.Name)]));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    [GeneratedRegex("^p-[0-9a-f]{12}$")]
    private static partial Regex TitleHashId();
}
