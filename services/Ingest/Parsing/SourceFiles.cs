namespace Papers.Ingest.Parsing;

/// <summary>A file read in one of the supported formats.</summary>
/// <param name="Format">The format used: <c>oai</c>, <c>atom</c>, <c>hf</c>, <c>abs</c> or <c>jsonl</c>.</param>
public sealed record SourceFile(string Path, string Format, ParseResult Result);

/// <summary>
/// Reads a file of papers in any supported format: a saved OAI-PMH response, an arXiv API Atom
/// feed, a Hugging Face daily-papers response, an arXiv <c>.abs</c> file, or our JSONL/JSON export
/// (a <see cref="RecordedExchange"/> wrapper around any of these is unwrapped). Used by
/// <c>parse</c> and by file import (<c>backfill</c>, <c>Ingest:Import</c>).
/// </summary>
public static class SourceFiles
{
    public const string Auto = "auto";

    public static readonly IReadOnlyList<string> Formats = ["oai", "atom", "hf", "abs", "jsonl", Auto];

    /// <summary>Reads and parses <paramref name="path"/>.</summary>
    /// <param name="format">One of <see cref="Formats"/>; <c>auto</c> guesses from the name and the first bytes.</param>
    /// <param name="referenceDate">Completes year-less dates in JSONL input.</param>
    /// <exception cref="ConnectorException">The file is not valid in its format (XML formats fail as a whole).</exception>
    public static async Task<SourceFile> ReadAsync(string path, string format = Auto, DateOnly? referenceDate = null, CancellationToken ct = default)
    {
        var content = AbsFileParser.Decode(await File.ReadAllBytesAsync(path, ct)).TrimStart('\uFEFF');
        if (RecordedExchange.TryRead(content, out var exchange))
            content = exchange.Body;
        if (format == Auto)
            format = Detect(path, content);
        return new SourceFile(path, format, Parse(format, content, path, referenceDate));
    }

    /// <summary>Guesses the format from the extension and the first bytes.</summary>
    public static string Detect(string path, string content)
    {
        if (path.EndsWith(".abs", StringComparison.OrdinalIgnoreCase))
            return "abs";
        var head = content.TrimStart();
        if (head.StartsWith('<'))
        {
            var start = head[..Math.Min(head.Length, 2000)];
            return start.Contains("<feed", StringComparison.Ordinal) ? "atom" : "oai";
        }

        if (head.StartsWith('['))
        {
            var start = head[..Math.Min(head.Length, 400)];
            return start.Contains("\"paper\"", StringComparison.Ordinal) ? "hf" : "jsonl";
        }

        if (head.StartsWith("---", StringComparison.Ordinal) && head.Contains("\n\\\\", StringComparison.Ordinal))
            return "abs";
        return "jsonl";
    }

    private static ParseResult Parse(string format, string content, string path, DateOnly? referenceDate) =>
        format switch
        {
            "oai" => new ParseResult(OaiPmhParser.Parse(content, path).Papers, []),
            "atom" => new ParseResult(ArxivAtomParser.Parse(content, path).Papers, []),
            "hf" => HfDailyPapersParser.Parse(content, path),
            "abs" => new ParseResult([AbsFileParser.Parse(content, path)], []),
            _ => JsonlPaperParser.Parse(content, path, new JsonlParseOptions(referenceDate)),
        };
}
