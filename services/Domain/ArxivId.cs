using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Papers.Domain;

/// <summary>
/// An arXiv identifier without its version: new style <c>2401.01234</c> (four digits after the dot
/// until 1412, five from 1501) or old style <c>hep-th/9901001</c>. Parsing accepts the forms the
/// sources use (<c>arXiv:</c>, <c>oai:arXiv.org:</c>, abs/pdf URLs, a <c>vN</c> suffix) and keeps
/// the version apart, because the paper's key must not change when a new version appears.
/// </summary>
public readonly partial record struct ArxivId : IComparable<ArxivId>
{
    private ArxivId(string value, int? version, string? archive, int yearMonth, int number)
    {
        Value = value;
        Version = version;
        Archive = archive;
        YearMonth = yearMonth;
        Number = number;
    }

    /// <summary>The id without version, e.g. <c>2401.01234</c> or <c>math/0202001</c>.</summary>
    public string Value { get; }

    /// <summary>The version the text named (<c>v2</c> gives 2), or null.</summary>
    public int? Version { get; }

    /// <summary>The archive of an old-style id (<c>hep-th</c>), null for new-style ids.</summary>
    public string? Archive { get; }

    /// <summary>Year and month as YYMM (<c>2401</c>).</summary>
    public int YearMonth { get; }

    /// <summary>The sequence number within the month (and archive, for old-style ids).</summary>
    public int Number { get; }

    public bool IsNewStyle => Archive is null;

    /// <summary>The id with its version when one is known (<c>2401.01234v2</c>).</summary>
    public string WithVersion => Version is null ? Value : $"{Value}v{Version}";

    public static bool TryParse([NotNullWhen(true)] string? text, out ArxivId id)
    {
        id = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;

        var s = StripPrefixes(text.Trim());
        var match = NewStyle().Match(s);
        if (match.Success)
        {
            var yearMonth = int.Parse(match.Groups["yymm"].Value, CultureInfo.InvariantCulture);
            var digits = match.Groups["num"].Value;
            // 0704 is the first month of new-style ids; five digits started in 1501.
            if (!IsValidMonth(yearMonth) || yearMonth < 704 || digits.Length != NumberWidth(yearMonth))
                return false;
            var number = int.Parse(digits, CultureInfo.InvariantCulture);
            if (number == 0 || !TryParseVersion(match, out var version))
                return false;
            id = new ArxivId($"{match.Groups["yymm"].Value}.{digits}", version, null, yearMonth, number);
            return true;
        }

        match = OldStyle().Match(s);
        if (match.Success)
        {
            var yearMonth = int.Parse(match.Groups["yymm"].Value, CultureInfo.InvariantCulture);
            if (!IsValidMonth(yearMonth) || !TryParseVersion(match, out var oldVersion))
                return false;
            var archive = match.Groups["archive"].Value.ToLowerInvariant();
            // The subject class (math.AG/...) is not part of the key: arXiv treats both as one paper.
            id = new ArxivId(
                $"{archive}/{match.Groups["yymm"].Value}{match.Groups["num"].Value}",
                oldVersion,
                archive,
                yearMonth,
                int.Parse(match.Groups["num"].Value, CultureInfo.InvariantCulture));
            return true;
        }

        return false;
    }

    public static ArxivId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not an arXiv id.");

    /// <summary>The id without version, or null when the text is not an arXiv id.</summary>
    public static string? Normalize(string? text) => TryParse(text, out var id) ? id.Value : null;

    /// <summary>The new-style id for a month and number, with the width that month used.</summary>
    public static string Format(int yearMonth, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"{yearMonth:D4}.{number.ToString(NumberWidth(yearMonth) == 4 ? "D4" : "D5", CultureInfo.InvariantCulture)}");

    /// <summary>Digits after the dot in a new-style id of that month.</summary>
    public static int NumberWidth(int yearMonth) => yearMonth >= 1501 ? 5 : 4;

    /// <summary>Orders by month (old-style years 91–99 before 2000), then number, then archive.</summary>
    public int CompareTo(ArxivId other)
    {
        var byMonth = FullYearMonth.CompareTo(other.FullYearMonth);
        if (byMonth != 0)
            return byMonth;
        var byNumber = Number.CompareTo(other.Number);
        return byNumber != 0 ? byNumber : string.CompareOrdinal(Archive, other.Archive);
    }

    public override string ToString() => Value;

    private int FullYearMonth => (YearMonth / 100 >= 91 ? 190000 : 200000) + YearMonth;

    private static bool IsValidMonth(int yearMonth) => yearMonth % 100 is >= 1 and <= 12;

    /// <summary>The version the text names, if any; false for one too large for an int (no arXiv id has it).</summary>
    private static bool TryParseVersion(Match match, out int? version)
    {
        version = null;
        if (!match.Groups["v"].Success)
            return true;
        if (!int.TryParse(match.Groups["v"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            return false;
        version = v;
        return true;
    }

    private static string StripPrefixes(string s)
    {
        var url = UrlPrefix().Match(s);
        if (url.Success)
            s = s[url.Length..];
        if (s.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase))
            s = s[..^4];
        foreach (var prefix in (string[])["oai:arXiv.org:", "arXiv:"])
        {
            if (s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                return s[prefix.Length..];
        }

        return s;
    }

    [GeneratedRegex(@"^(?<yymm>\d{4})\.(?<num>\d{4,5})(?:v(?<v>[1-9]\d*))?$")]
    private static partial Regex NewStyle();

    [GeneratedRegex(@"^(?<archive>[a-zA-Z][a-zA-Z\-]*)(?:\.[A-Za-z]{2})?/(?<yymm>\d{4})(?<num>\d{3})(?:v(?<v>[1-9]\d*))?$")]
    private static partial Regex OldStyle();

    [GeneratedRegex(@"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPrefix();
}
