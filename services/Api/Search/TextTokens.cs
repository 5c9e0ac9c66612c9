using System.Text.RegularExpressions;
using Papers.Domain;

namespace Papers.Api.Search;

/// <summary>Keyword tokens: lower-cased words and numbers, English function words dropped (<see cref="StopWords.English"/>), plural "s" folded.</summary>
public static partial class TextTokens
{
    public static IEnumerable<string> Tokenize(string? text)
    {
        if (string.IsNullOrEmpty(text))
            yield break;
        foreach (Match m in Word().Matches(text.ToLowerInvariant()))
        {
            var w = m.Value;
            if (StopWords.English.Contains(w))
                continue;
            yield return w.Length > 3 && w[^1] == 's' && w[^2] != 's' ? w[..^1] : w;
        }
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
