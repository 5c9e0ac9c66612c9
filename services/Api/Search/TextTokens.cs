using System.Text.RegularExpressions;
using Papers.Domain;

namespace Papers.Api.Search;

/// <summary>Keyword tokens: lower-cased words and numbers, English function words dropped (<see cref="StopWords.English"/>), plural "s" folded.</summary>
public static partial class TextTokens
{
    public static IEnumerable<string> Tokenize(string? text) => TokenizeWithOffsets(text).Select(t => t.Token);

    /// <summary>The tokens with where their words start and end in <paramref name="text"/> (for Lucene's analyzer).</summary>
    public static IEnumerable<(string Token, int Start, int End)> TokenizeWithOffsets(string? text)
    {
        if (string.IsNullOrEmpty(text))
            yield break;
        // Invariant lower-casing maps char to char, so offsets in the lower-cased text are offsets in the original.
        foreach (Match m in Word().Matches(text.ToLowerInvariant()))
        {
            var w = m.Value;
            if (StopWords.English.Contains(w))
                continue;
            yield return (w.Length > 3 && w[^1] == 's' && w[^2] != 's' ? w[..^1] : w, m.Index, m.Index + m.Length);
        }
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
