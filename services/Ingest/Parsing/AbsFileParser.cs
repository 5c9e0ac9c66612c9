using System.Text;
using System.Text.RegularExpressions;
using Papers.Contracts;
using Papers.Domain;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Parses arXiv's legacy <c>.abs</c> metadata files:
/// <code>
/// ----...----
/// \\
/// arXiv:hep-th/9901001
/// From: ...
/// Date: Fri, 1 Jan 1999 01:01:10 GMT   (15kb)
/// Date (revised v2): Tue, 5 Jan 1999 21:36:42 GMT   (15kb)
///
/// Title: ...          (continuation lines are indented)
/// Authors: ...
/// Categories: hep-th
/// \\
///   abstract ...     (may itself contain "\\" lines: LaTeX line breaks)
/// \\
/// </code>
/// The abstract runs from the second <c>\\</c> line to the last one.
/// </summary>
public static partial class AbsFileParser
{
    public const string SourceLabel = "file";

    /// <summary>Reads a file; old files are Latin-1, so bytes that are not UTF-8 are read as Latin-1.</summary>
    public static async Task<SourcePaper> ParseFileAsync(string path, CancellationToken ct = default) =>
        Parse(Decode(await File.ReadAllBytesAsync(path, ct)), path);

    public static string Decode(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes);
        }
    }

    public static SourcePaper Parse(string content, string source)
    {
        var lines = content.ReplaceLineEndings("\n").Split('\n');
        var separators = lines.Select((line, index) => (line, index))
            .Where(x => x.line.TrimEnd() == @"\\")
            .Select(x => x.index)
            .ToArray();
        if (content.Trim().Length == 0)
            throw new ConnectorFormatException(source, 1, null, "empty .abs file");
        if (separators.Length < 2)
            throw new ConnectorFormatException(source, separators.Length == 0 ? 1 : separators[0] + 1, null,
                "not an arXiv .abs file: expected a header between two '\\\\' lines");

        var fields = ReadHeader(lines, separators[0] + 1, separators[1], source);
        var idLine = fields.FirstOrDefault(f => f.Key is "arXiv" or "Paper");
        if (idLine.Key is null || !ArxivId.TryParse(idLine.Value, out var id))
        {
            throw new ConnectorFormatException(source, idLine.Key is null ? separators[0] + 2 : idLine.Line, null,
                idLine.Key is null ? "no 'arXiv:' id line" : $"'{idLine.Value}' is not an arXiv id");
        }

        var title = Field(fields, "Title");
        if (title is null)
            throw new ConnectorFormatException(source, separators[1] + 1, null, $"{id}: no 'Title:' field in the header");

        var versions = fields
            .Select(f => ParseVersion(f.Key, f.Value))
            .Where(v => v is not null)
            .Select(v => v!)
            .OrderBy(v => v.Number)
            .ToArray();
        var abstractEnd = separators.Length > 2 ? separators[^1] : lines.Length;
        var abstractText = string.Join('\n', lines[(separators[1] + 1)..abstractEnd]);
        var categories = ArxivMetadata.SplitCategories(Field(fields, "Categories"));

        return new SourcePaper(
            id.Value,
            title,
            TextNormalizer.Normalize(abstractText),
            ArxivMetadata.SplitAuthors(Field(fields, "Authors")),
            categories.FirstOrDefault(),
            categories,
            versions,
            ArxivMetadata.DateOf(versions.FirstOrDefault(v => v.Number == 1)?.SubmittedAt),
            null,
            SourceLabel,
            Comments: Field(fields, "Comments"),
            JournalRef: Field(fields, "Journal-ref"),
            Dois: ArxivMetadata.SplitDois(Field(fields, "DOI")),
            License: Field(fields, "License"),
            AbsUrl: ArxivMetadata.AbsUrl(id.Value),
            PdfUrl: ArxivMetadata.PdfUrl(id.Value));
    }

    private static List<(string Key, string Value, int Line)> ReadHeader(string[] lines, int start, int end, string source)
    {
        var fields = new List<(string Key, string Value, int Line)>();
        for (var i = start; i < end; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0)
                continue;
            if (char.IsWhiteSpace(line[0]))
            {
                // A continuation of the previous field (long titles, author lists, comments).
                if (fields.Count == 0)
                    throw new ConnectorFormatException(source, i + 1, 1, "indented line before any header field");
                var last = fields[^1];
                fields[^1] = (last.Key, $"{last.Value} {line.Trim()}", last.Line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                throw new ConnectorFormatException(source, i + 1, 1, $"header line without 'Field:' ('{Shorten(line)}')");
            fields.Add((line[..colon].Trim(), line[(colon + 1)..].Trim(), i + 1));
        }

        return fields;
    }

    private static string? Field(List<(string Key, string Value, int Line)> fields, string key) =>
        TextNormalizer.NormalizeOrNull(fields.FirstOrDefault(f => f.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value);

    private static PaperVersion? ParseVersion(string key, string value)
    {
        int number;
        if (key == "Date")
            number = 1;
        else if (RevisedDate().Match(key) is { Success: true } revised)
            number = int.Parse(revised.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        else
            return null;

        var size = SizeSuffix().Match(value);
        var date = size.Success ? value[..size.Index] : value;
        return new PaperVersion(number, ArxivMetadata.ParseSubmissionDate(date), size.Success ? size.Groups[1].Value : null);
    }

    private static string Shorten(string line) => line.Length <= 40 ? line : line[..40] + "...";

    [GeneratedRegex(@"^Date \(revised v(\d+)\)$")]
    private static partial Regex RevisedDate();

    [GeneratedRegex(@"\s*\((\d+kb)(?:,[^)]*)?\)\s*$")]
    private static partial Regex SizeSuffix();
}
