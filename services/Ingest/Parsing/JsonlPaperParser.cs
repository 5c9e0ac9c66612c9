using System.Text.Json;

namespace Papers.Ingest.Parsing;

/// <summary>Settings for <see cref="JsonlPaperParser"/>.</summary>
/// <param name="ReferenceDate">The day the file was captured: year-less dates such as <c>Apr 11</c>
/// are read as the latest such day not after it. Null means today (UTC).</param>
/// <param name="SourceLabel">The <see cref="SourcePaper.Source"/> to give the papers.</param>
public sealed record JsonlParseOptions(DateOnly? ReferenceDate = null, string SourceLabel = "file");

/// <summary>
/// Reads papers from JSON Lines (one object per line) or a JSON document (an array of objects, or
/// one object): our own export (the camelCase <see cref="SourcePaper"/> the dry run prints), the
/// common crawl shapes (<c>id, title, summary, authors[], categories[]</c>) and the bundled
/// Daily Papers sample (<c>title, summary, authorCount, publishedText, upvotes</c>). A malformed
/// line is reported with its line number and skipped; the rest of the file is still read.
/// </summary>
public static class JsonlPaperParser
{
    /// <summary>Lines that are all not JSON before a file is judged no JSON Lines at all.</summary>
    public const int NotJsonAfter = 10;

    public static ParseResult Parse(string content, string source, JsonlParseOptions? options = null)
    {
        options ??= new JsonlParseOptions();
        var reference = options.ReferenceDate ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var papers = new List<SourcePaper>();
        var problems = new List<ParseProblem>();

        var first = content.AsSpan().TrimStart();
        if (!first.IsEmpty && first[0] == '[')
        {
            ParseArray(content, source, options.SourceLabel, reference, papers, problems);
            return new ParseResult(papers, problems);
        }

        if (TryParseSingleMultiLineObject(content, source, options.SourceLabel, reference, papers, problems))
            return new ParseResult(papers, problems);

        using var reader = new StringReader(content);
        var lineNumber = 0;
        var jsonLines = 0;
        string? firstLine = null;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            firstLine ??= line;
            try
            {
                using var document = JsonInput.Parse(line, source, "JSON Lines", lineNumber);
                jsonLines++;
                Add(document.RootElement, source, lineNumber, options.SourceLabel, reference, papers, problems);
            }
            catch (ConnectorFormatException ex)
            {
                problems.Add(new ParseProblem(source, ex.Line ?? lineNumber, ex.Position, ex.Detail));
            }

            // A file whose first lines are none of them JSON is no JSON Lines at all: one problem
            // saying so beats one "malformed JSON" per line of a mail or a web page.
            if (jsonLines == 0 && problems.Count == NotJsonAfter)
            {
                var preview = TextNormalizer.Normalize(firstLine[..Math.Min(firstLine.Length, 60)]);
                return new ParseResult([], [new ParseProblem(source, 1, 1, $"not JSON Lines: none of the first {NotJsonAfter} lines is JSON; it starts with '{preview}'")]);
            }
        }

        return new ParseResult(papers, problems);
    }

    private static void ParseArray(string content, string source, string label, DateOnly reference,
        List<SourcePaper> papers, List<ParseProblem> problems)
    {
        try
        {
            using var document = JsonInput.Parse(content, source, "JSON");
            var lines = JsonInput.TopLevelItemLines(content);
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                Add(item, source, index < lines.Count ? lines[index] : 1, label, reference, papers, problems);
                index++;
            }
        }
        catch (ConnectorFormatException ex)
        {
            // A broken JSON array cannot be resumed after the break the way JSON Lines can.
            problems.Add(new ParseProblem(source, ex.Line, ex.Position, ex.Detail));
        }
    }

    /// <summary>A pretty-printed single object spans many lines; read it whole rather than line by line.</summary>
    private static bool TryParseSingleMultiLineObject(string content, string source, string label, DateOnly reference,
        List<SourcePaper> papers, List<ParseProblem> problems)
    {
        var firstLine = content.TrimStart().Split('\n', 2)[0].Trim();
        if (firstLine != "{")
            return false;
        try
        {
            using var document = JsonDocument.Parse(content);
            Add(document.RootElement, source, 1, label, reference, papers, problems);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void Add(JsonElement element, string source, int line, string label, DateOnly reference,
        List<SourcePaper> papers, List<ParseProblem> problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new ParseProblem(source, line, null, $"expected a JSON object, got a JSON {element.ValueKind.ToString().ToLowerInvariant()}"));
            return;
        }

        if (JsonPaperFields.TryRead(element, label, reference, out var paper, out var problem))
            papers.Add(paper);
        else
            problems.Add(new ParseProblem(source, line, null, problem));
    }
}
