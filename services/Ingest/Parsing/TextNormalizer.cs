using System.Text;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Text normalisation shared by every connector, so that the same paper read from OAI-PMH,
/// the query API or a file yields the same title and abstract (and so the same content hash):
/// mojibake repaired (<see cref="Mojibake"/>), whitespace collapsed.
/// </summary>
public static class TextNormalizer
{
    /// <summary>
    /// Collapses every run of whitespace (spaces, tabs, line breaks, no-break spaces) to one space
    /// and trims, after repairing UTF-8 that was read as Latin-1 upstream. LaTeX is kept as written:
    /// <c>$^{11}$Be</c> and <c>\'{e}</c> are the author's text. C1 control characters (U+0080–U+009F)
    /// left after the repair are kept: they are bytes of garbled text that a later repair needs to
    /// recover the original. C0 controls other than whitespace are dropped: they encode no text, and
    /// XML (our feeds, OAI-PMH) cannot carry them.
    /// </summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return string.Empty;

        text = Mojibake.Repair(text);
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (c < '\u0020')
                continue;

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>Like <see cref="Normalize"/>, but an empty result becomes null (optional fields).</summary>
    public static string? NormalizeOrNull(string? text)
    {
        var normalized = Normalize(text);
        return normalized.Length == 0 ? null : normalized;
    }
}
