namespace Papers.Ingest.Parsing;

/// <summary>A file read in one of the supported formats.</summary>
/// <param name="Format">The format used: <c>oai</c>, <c>atom</c>, <c>feed</c>, <c>hf</c>, <c>abs</c> or <c>jsonl</c>.</param>
public sealed record SourceFile(string Path, string Format, ParseResult Result);

/// <summary>
/// Reads a file of papers in any supported format: a saved OAI-PMH response (arXiv formats or
/// Dublin Core), an arXiv API Atom feed, an arXiv listing feed (RSS or Atom), a Hugging Face daily-papers response, an arXiv <c>.abs</c> file, or our JSONL/JSON export
/// (a <see cref="RecordedExchange"/> wrapper around any of these is unwrapped). Used by
/// <c>parse</c> and by file import (<c>backfill</c>, <c>Ingest:Import</c>).
/// </summary>
public static class SourceFiles
{
    public const string Auto = "auto";

    public static readonly IReadOnlyList<string> Formats = ["oai", "atom", "feed", "hf", "abs", "jsonl", Auto];

    /// <summary>Reads and parses <paramref name="path"/>.</summary>
    /// <param name="format">One of <see cref="Formats"/>; <c>auto</c> guesses from the name and the first bytes.</param>
    /// <param name="referenceDate">Completes year-less dates in JSONL input.</param>
    /// <exception cref="ConnectorException">The file is not valid in its format (XML formats fail as a whole).</exception>
    public static async Task<SourceFile> ReadAsync(string path, string format = Auto, DateOnly? referenceDate = null, CancellationToken ct = default)
    {
        var content = AbsFileParser.Decode(await File.ReadAllBytesAsync(path, ct)).TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(content))
            throw new ConnectorFormatException(path, null, null, content.Length == 0 ? "empty file: nothing to parse" : "the file holds only whitespace: nothing to parse");
        if (!RecordedExchange.TryRead(content, out var exchange))
            return Read(path, format, content, referenceDate);

        var label = $"{path} (recorded HTTP {exchange.StatusCode} from {exchange.Url ?? "an unnamed URL"})";
        if (string.IsNullOrWhiteSpace(exchange.Body))
            throw new ConnectorFormatException(label, null, null, "the recorded response has an empty body: nothing to parse");
        var file = Read(label, format, exchange.Body, referenceDate);
        // A recorded error status is the answer, whatever its body held: an arXiv API error feed
        // throws its own message above; anything else is reported with the status it came with.
        if (!exchange.IsSuccess)
        {
            throw new ConnectorFormatException(label, null, null,
                $"HTTP {exchange.StatusCode} is an error answer, not papers (its body parsed as {file.Format} with {file.Result.Papers.Count} papers)");
        }

        return file with { Path = path };
    }

    private static SourceFile Read(string path, string format, string content, DateOnly? referenceDate)
    {
        if (format == Auto)
            format = Detect(path, content);
        return new SourceFile(path, format, Parse(format, content, path, referenceDate));
    }

    /// <summary>Guesses the format from the extension and the first bytes.</summary>
    /// <exception cref="ConnectorFormatException">The content looks like none of the formats.</exception>
    public static string Detect(string path, string content)
    {
        if (path.EndsWith(".abs", StringComparison.OrdinalIgnoreCase))
            return "abs";
        var head = content.TrimStart();
        var start = head[..Math.Min(head.Length, 2000)];
        if (head.StartsWith('<'))
        {
            if (start.Contains("<rss", StringComparison.Ordinal) ||
                start.Contains("<feed", StringComparison.Ordinal) && start.Contains("rss.arxiv.org", StringComparison.Ordinal))
                return "feed";
            return start.Contains("<feed", StringComparison.Ordinal) ? "atom" : "oai";
        }

        if (head.StartsWith('['))
            return start.Contains("\"paper\"", StringComparison.Ordinal) ? "hf" : "jsonl";
        // A JSON object: one of our lines, or the error object the daily papers API answers with.
        if (head.StartsWith('{'))
            return HfDailyPapersParser.IsErrorObject(head) ? "hf" : "jsonl";
        if (head.StartsWith("---", StringComparison.Ordinal) && head.Contains("\n\\\\", StringComparison.Ordinal))
            return "abs";

        var preview = TextNormalizer.Normalize(head[..Math.Min(head.Length, 60)]);
        throw new ConnectorFormatException(path, 1, 1,
            $"unrecognised format: starts with '{preview}'; expected XML (OAI-PMH, arXiv Atom or RSS), JSON or an arXiv .abs file (or name one with --format)");
    }

    private static ParseResult Parse(string format, string content, string path, DateOnly? referenceDate) =>
        format switch
        {
            "oai" => OaiPmhParser.Parse(content, path).ToParseResult(path),
            "atom" => new ParseResult(ArxivAtomParser.Parse(content, path).Papers, []),
            "feed" => new ParseResult(ArxivListingFeedParser.Parse(content, path).Papers, []),
            "hf" => HfDailyPapersParser.Parse(content, path),
            "abs" => new ParseResult([AbsFileParser.Parse(content, path)], []),
            _ => JsonlPaperParser.Parse(content, path, new JsonlParseOptions(referenceDate)),
        };
}
