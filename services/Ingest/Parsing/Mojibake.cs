using System.Text;
using System.Text.RegularExpressions;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Repairs UTF-8 text that was decoded as Latin-1 or Windows-1252 upstream (<c>GÃ¶tz</c> → <c>Götz</c>,
/// <c>$Ï\u0089$Test</c> → <c>$ω$Test</c>), as recorded arXiv API bodies show. Only unambiguous
/// cases are changed: a run of characters that reads as a lead byte followed by its continuation
/// bytes, and that is valid UTF-8 once turned back into those bytes. Text with no such run
/// (<c>São Paulo</c>, <c>10 µm</c>, <c>naïve</c>) is returned as it is.
/// </summary>
/// <remarks>NuGet serves no port of a mojibake fixer (Python's ftfy has none), so this is ours;
/// it handles the one kind of damage the sources showed, and nothing it cannot undo exactly.</remarks>
public static partial class Mojibake
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Windows-1252's printable characters at 0x80–0x9F (where Latin-1 has controls), back to their byte.</summary>
    private static readonly Dictionary<char, byte> Cp1252High = BuildCp1252High();

    public static string Repair(string text)
    {
        if (!MayHoldMojibake(text))
            return text;
        return Sequence().Replace(text, match =>
        {
            var bytes = new byte[match.Length];
            for (var i = 0; i < match.Length; i++)
                bytes[i] = ByteOf(match.Value[i]);
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                return match.Value;
            }
        });
    }

    /// <summary>Cheap pre-check: every mojibake sequence starts with a character in U+00C2–U+00F4.</summary>
    private static bool MayHoldMojibake(string text)
    {
        foreach (var c in text)
        {
            if (c is >= '\u00C2' and <= '\u00F4')
                return true;
        }

        return false;
    }

    private static byte ByteOf(char c) => c <= '\u00FF' ? (byte)c : Cp1252High[c];

    private static Dictionary<char, byte> BuildCp1252High()
    {
        var cp1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;
        var map = new Dictionary<char, byte>();
        for (var b = 0x80; b <= 0x9F; b++)
        {
            var c = cp1252.GetString([(byte)b]);
            if (c.Length == 1 && c[0] != '\uFFFD' && c[0] > '\u00FF')
                map[c[0]] = (byte)b;
        }

        return map;
    }

    // A UTF-8 lead byte (as its Latin-1 character) followed by the right number of continuation
    // bytes (0x80–0xBF as Latin-1, or the Windows-1252 characters at 0x80–0x9F).
    private const string Continuation = "[\u0080-\u00BF€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]";

    [GeneratedRegex("[\u00C2-\u00DF]" + Continuation + "|[\u00E0-\u00EF]" + Continuation + "{2}|[\u00F0-\u00F4]" + Continuation + "{3}")]
    private static partial Regex Sequence();
}
