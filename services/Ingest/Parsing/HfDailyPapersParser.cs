using System.Globalization;
using System.Text.Json;
using Papers.Contracts;
using Papers.Domain;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Parses a Hugging Face <c>/api/daily_papers</c> response: a bare JSON array of items
/// <c>{ paper: { id, title, summary, authors[{name}], publishedAt, submittedOnDailyAt, upvotes }, ... }</c>.
/// <c>paper.id</c> is the arXiv id; the day the paper was put on the curated list becomes
/// <see cref="SourcePaper.ListedOn"/>. An unusable item is reported with its line, its id when it
/// has one and its JSON (for the quarantine), and skipped.
/// </summary>
public static class HfDailyPapersParser
{
    public const string SourceLabel = "hf-daily";

    public static ParseResult Parse(string content, string source)
    {
        using var document = JsonInput.Parse(content, source, "Hugging Face daily papers");
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && JsonInput.String(root, "error") is { } error)
            throw new ConnectorFormatException(source, 1, null, $"Hugging Face API error: {error}");
        if (root.ValueKind != JsonValueKind.Array)
            throw new ConnectorFormatException(source, 1, 1, $"expected a JSON array of daily papers, got a JSON {root.ValueKind.ToString().ToLowerInvariant()}");

        var lines = JsonInput.TopLevelItemLines(content);
        var papers = new List<SourcePaper>();
        var problems = new List<ParseProblem>();
        var index = 0;
        foreach (var item in root.EnumerateArray())
        {
            var line = index < lines.Count ? lines[index] : (int?)null;
            index++;
            if (TryParseItem(item, out var paper, out var problem))
                papers.Add(paper);
            else
                problems.Add(new ParseProblem(source, line, null, $"item {index}: {problem}", ItemId(item), item.GetRawText()));
        }

        return new ParseResult(papers, problems);
    }

    /// <summary>Whether <paramref name="content"/> is the error object the API answers with instead of a list.</summary>
    public static bool IsErrorObject(string content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                   JsonInput.String(document.RootElement, "error") is not null &&
                   JsonInput.String(document.RootElement, "title") is null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The item's arXiv id (normalised, as a paper read from it would have it), or its <c>paper.id</c> as given; null without one.</summary>
    private static string? ItemId(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object || JsonInput.Property(item, "paper") is not { ValueKind: JsonValueKind.Object } p)
            return null;
        var rawId = JsonInput.String(p, "id");
        return ArxivId.TryParse(rawId, out var id) ? id.Value : string.IsNullOrWhiteSpace(rawId) ? null : rawId.Trim();
    }

    private static bool TryParseItem(JsonElement item, out SourcePaper paper, out string problem)
    {
        paper = null!;
        if (item.ValueKind != JsonValueKind.Object || JsonInput.Property(item, "paper") is not { ValueKind: JsonValueKind.Object } p)
        {
            problem = "no 'paper' object";
            return false;
        }

        var rawId = JsonInput.String(p, "id");
        if (!ArxivId.TryParse(rawId, out var id))
        {
            problem = rawId is null ? "paper.id is missing" : $"paper.id '{rawId}' is not an arXiv id";
            return false;
        }

        var title = TextNormalizer.Normalize(JsonInput.String(p, "title") ?? JsonInput.String(item, "title"));
        if (title.Length == 0)
        {
            problem = $"paper {id} has no title";
            return false;
        }

        var authors = JsonInput.Property(p, "authors") is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray()
                .Select(a => TextNormalizer.Normalize(a.ValueKind == JsonValueKind.Object ? JsonInput.String(a, "name") : null))
                .Where(n => n.Length > 0)
                .Select(n => new PaperAuthor(n))
                .ToArray()
            : [];

        paper = new SourcePaper(
            id.Value,
            title,
            TextNormalizer.Normalize(JsonInput.String(p, "summary") ?? JsonInput.String(item, "summary")),
            authors,
            null,
            [],
            [],
            ArxivMetadata.DateOf(ParseTimestamp(JsonInput.String(p, "publishedAt") ?? JsonInput.String(item, "publishedAt"))),
            ArxivMetadata.DateOf(ParseTimestamp(JsonInput.String(p, "submittedOnDailyAt"))),
            SourceLabel,
            SourceUpvotes: JsonInput.Int(p, "upvotes") ?? 0,
            AbsUrl: ArxivMetadata.AbsUrl(id.Value),
            PdfUrl: ArxivMetadata.PdfUrl(id.Value));
        problem = string.Empty;
        return true;
    }

    private static DateTimeOffset? ParseTimestamp(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
}
