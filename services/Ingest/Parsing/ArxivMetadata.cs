using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Papers.Contracts;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Pieces of arXiv metadata that several formats share: the author string of arXivRaw and .abs
/// files, the submission dates of version lines, categories, and the canonical links.
/// </summary>
public static partial class ArxivMetadata
{
    private static readonly string[] DateFormats =
    [
        "d MMM yyyy HH:mm:ss 'GMT'",
        "d MMM yyyy HH:mm:ss 'UTC'",
        "d MMM yyyy HH:mm:ss",
    ];

    private static readonly HashSet<string> NameSuffixes = new(StringComparer.OrdinalIgnoreCase)
    {
        "Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV",
    };

    /// <summary>
    /// Splits an arXiv author string (<c>D.V. Shetty, S.J. Yennello, and G.A. Souliotis</c>) into
    /// names in order. Affiliations in parentheses are dropped (they are not names), a
    /// <c>Collaboration:</c> prefix becomes its own entry, and <c>Jr.</c> stays with its name.
    /// arXivRaw and .abs files give no keyname/forenames split, and guessing one would be wrong for
    /// many names, so only <see cref="PaperAuthor.Name"/> is set.
    /// </summary>
    public static IReadOnlyList<PaperAuthor> SplitAuthors(string? authors)
    {
        var text = TextNormalizer.Normalize(authors);
        if (text.Length == 0)
            return [];

        var parts = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '(')
            {
                depth++;
                continue;
            }

            if (c == ')' && depth > 0)
            {
                depth--;
                continue;
            }

            if (depth > 0)
                continue;

            if (c is ',' or ';')
            {
                Flush();
                continue;
            }

            if (c == ':' && current.ToString().Contains("collaboration", StringComparison.OrdinalIgnoreCase))
            {
                Flush();
                continue;
            }

            if (IsWordAt(text, i, " and ") || IsWordAt(text, i, " & "))
            {
                Flush();
                i += text[i + 1] == '&' ? 2 : 4;
                continue;
            }

            current.Append(c);
        }

        Flush();

        var names = new List<PaperAuthor>(parts.Count);
        foreach (var raw in parts)
        {
            // "et al." names nobody; drop it whether it stands alone or trails a name.
            var part = EtAl().Replace(raw, string.Empty);
            if (part.Length == 0)
                continue;

            if (NameSuffixes.Contains(part) && names.Count > 0)
            {
                names[^1] = new PaperAuthor($"{names[^1].Name}, {part}");
                continue;
            }

            names.Add(new PaperAuthor(part));
        }

        return names;

        void Flush()
        {
            var name = TextNormalizer.Normalize(current.ToString());
            if (name.StartsWith("and ", StringComparison.Ordinal))
                name = name[4..];
            if (name.Length > 0)
                parts.Add(name);
            current.Clear();
        }
    }

    /// <summary>Parses the e-mail style dates of arXiv version lines (<c>Tue, 3 Apr 2007 22:04:11 GMT</c>).</summary>
    public static DateTimeOffset? ParseSubmissionDate(string? text)
    {
        var normalized = TextNormalizer.Normalize(text);
        // The weekday adds nothing and is sometimes wrong (arXiv's own test data has "Thu, 29 Aug
        // 2012"), and an exact parse would reject the whole date for it.
        var comma = normalized.IndexOf(',', StringComparison.Ordinal);
        if (comma is > 0 and <= 9 && !char.IsDigit(normalized[0]))
            normalized = normalized[(comma + 1)..].TrimStart();
        return DateTimeOffset.TryParseExact(normalized, DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;
    }

    /// <summary>Space-separated categories, primary first, without duplicates.</summary>
    public static IReadOnlyList<string> SplitCategories(string? categories) =>
        TextNormalizer.Normalize(categories).Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();

    /// <summary>
    /// The DOIs in a field that may hold several (arXiv joins them with spaces; others use commas or
    /// semicolons), each without a <c>doi:</c> or <c>https://doi.org/</c> prefix, in order, once each.
    /// Words that are no DOI (<c>10.</c> + registrant + <c>/</c> + suffix) are left out.
    /// </summary>
    public static IReadOnlyList<string> SplitDois(string? field) =>
        TextNormalizer.Normalize(field)
            .Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries)
            .Select(d => DoiPrefix().Replace(d, string.Empty).TrimEnd('.'))
            .Where(d => Doi().IsMatch(d))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();

    /// <summary>Puts <paramref name="primary"/> first, as the contracts promise.</summary>
    public static IReadOnlyList<string> PrimaryFirst(string? primary, IEnumerable<string> categories)
    {
        var all = categories.Where(c => c.Length > 0).Distinct().ToList();
        if (primary is null)
            return all;
        all.Remove(primary);
        all.Insert(0, primary);
        return all;
    }

    public static string AbsUrl(string arxivId) => $"https://arxiv.org/abs/{arxivId}";

    public static string PdfUrl(string arxivId) => $"https://arxiv.org/pdf/{arxivId}";

    public static DateOnly? DateOf(DateTimeOffset? value) =>
        value is { } v ? DateOnly.FromDateTime(v.UtcDateTime) : null;

    [GeneratedRegex(@"^(?:doi:|https?://(?:dx\.)?doi\.org/)", RegexOptions.IgnoreCase)]
    private static partial Regex DoiPrefix();

    [GeneratedRegex(@"^10\.\d{4,9}/\S+$")]
    private static partial Regex Doi();

    [GeneratedRegex(@"(?:^|\s+)et\.? al\.?$", RegexOptions.IgnoreCase)]
    private static partial Regex EtAl();

    private static bool IsWordAt(string text, int index, string word) =>
        string.CompareOrdinal(text, index, word, 0, word.Length) == 0;
}
