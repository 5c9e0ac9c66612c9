using System.Globalization;
using System.Text.RegularExpressions;
using Papers.Api.Browse;
using Papers.Api.Search;

namespace Papers.Api.Web;

/// <summary>How pages write dates, counts, links and highlighted matches.</summary>
public static partial class Format
{
    public static string Day(DateOnly? day) => day?.ToString("MMM d, yyyy", CultureInfo.InvariantCulture) ?? "";

    public static string Iso(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    public static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : string.Create(CultureInfo.InvariantCulture, $"{n:N0} {many}");

    public static string Percent(double score) => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(score * 100)}%");

    public static string PaperUrl(string id) => "/papers/" + string.Join('/', id.Split('/').Select(Uri.EscapeDataString));

    public static string AuthorUrl(string name) => "/authors/" + Uri.EscapeDataString(name.Trim());

    public static string TopicUrl(string id) => "/topics/" + Uri.EscapeDataString(id);

    public static string SearchUrl(string query) => "/search?q=" + Uri.EscapeDataString(query);

    /// <summary>Whether the paper has an arXiv id (links to arxiv.org), not an id of ours (<c>p-…</c>).</summary>
    public static bool IsArxiv(string id) => !id.StartsWith("p-", StringComparison.Ordinal);

    /// <summary>The first <paramref name="max"/> characters of a text, cut at a word, for descriptions.</summary>
    public static string Snippet(string text, int max)
    {
        var flat = Whitespace().Replace(text, " ").Trim();
        if (flat.Length <= max)
            return flat;
        var cut = flat.LastIndexOf(' ', max);
        return flat[..(cut > max / 2 ? cut : max)] + "…";
    }

    /// <summary>A query's keyword terms, as the search index takes them apart.</summary>
    public static IReadOnlySet<string> Terms(string? query) => TextTokens.Tokenize(query).ToHashSet(StringComparer.Ordinal);

    /// <summary>A text in pieces, each marked when its word is one of <paramref name="terms"/>: pages wrap those in &lt;mark&gt; (as text, never markup).</summary>
    public static IEnumerable<(string Text, bool Match)> Highlight(string text, IReadOnlySet<string> terms)
    {
        if (terms.Count == 0)
        {
            yield return (text, false);
            yield break;
        }
        var at = 0;
        foreach (Match word in Word().Matches(text))
        {
            if (!TextTokens.Tokenize(word.Value).Any(terms.Contains))
                continue;
            if (word.Index > at)
                yield return (text[at..word.Index], false);
            yield return (word.Value, true);
            at = word.Index + word.Length;
        }
        if (at < text.Length)
            yield return (text[at..], false);
    }

    public static string TopicLabel(FacetIndex facets, string id) => facets.TopicName(id);

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
