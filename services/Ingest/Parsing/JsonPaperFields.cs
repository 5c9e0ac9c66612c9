using System.Globalization;
using System.Text.Json;
using Papers.Contracts;
using Papers.Domain;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Maps one JSON paper object to a <see cref="SourcePaper"/>, accepting the field names of our own
/// export and of the crawl formats we meet (<c>summary|abstract</c>, <c>id|arxivId</c>, ...).
/// </summary>
internal static class JsonPaperFields
{
    private static readonly string[] FullDateFormats =
        ["MMM d, yyyy", "MMM d yyyy", "MMMM d, yyyy", "MMMM d yyyy", "d MMM yyyy", "d MMMM yyyy"];

    private static readonly string[] YearlessFormats = ["MMM d", "MMMM d", "d MMM", "d MMMM"];

    public static bool TryRead(JsonElement o, string label, DateOnly reference, out SourcePaper paper, out string problem)
    {
        paper = null!;
        var title = TextNormalizer.Normalize(JsonInput.String(o, "title"));
        if (title.Length == 0)
        {
            problem = "missing 'title'";
            return false;
        }

        var rawId = JsonInput.String(o, "arxivId", "arxiv_id", "id");
        ArxivId? id = ArxivId.TryParse(rawId, out var parsed) ? parsed : null;
        var versions = ReadVersions(o);
        if (versions.Count == 0 && id?.Version is { } version)
            versions = [new PaperVersion(version, null)];

        var primary = JsonInput.String(o, "primaryCategory", "primary_category");
        var published = ParseDate(JsonInput.String(o, "publishedOn", "published", "publishedAt", "publishedText", "created"), reference)
            ?? ArxivMetadata.DateOf(versions.FirstOrDefault(v => v.Number == 1)?.SubmittedAt);

        paper = new SourcePaper(
            id?.Value,
            title,
            TextNormalizer.Normalize(JsonInput.String(o, "abstract", "summary")),
            ReadAuthors(o),
            primary,
            ArxivMetadata.PrimaryFirst(primary, ReadCategories(o)),
            versions,
            published,
            ParseDate(JsonInput.String(o, "listedOn", "listed_on", "submittedOnDailyAt"), reference),
            label,
            SourceUpvotes: JsonInput.Int(o, "sourceUpvotes", "upvotes") ?? 0,
            Comments: Text(o, "comments", "comment"),
            JournalRef: Text(o, "journalRef", "journal_ref", "journal-ref"),
            Doi: Text(o, "doi"),
            License: Text(o, "license"),
            AbsUrl: Text(o, "absUrl", "abs", "url") ?? (id is { } a ? ArxivMetadata.AbsUrl(a.Value) : null),
            PdfUrl: Text(o, "pdfUrl", "pdf", "pdf_url") ?? (id is { } b ? ArxivMetadata.PdfUrl(b.Value) : null),
            SubmittedBy: Text(o, "submittedBy"),
            Deleted: JsonInput.Property(o, "deleted") is { ValueKind: JsonValueKind.True });
        problem = string.Empty;
        return true;
    }

    /// <summary>
    /// ISO dates and timestamps, and the display dates of listing pages: <c>Oct 13, 2023</c>, or
    /// <c>Apr 11</c> for the current year, read as the latest such day not after the reference.
    /// </summary>
    public static DateOnly? ParseDate(string? text, DateOnly reference)
    {
        var s = TextNormalizer.Normalize(text);
        if (s.Length == 0)
            return null;
        var culture = CultureInfo.InvariantCulture;
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", culture, DateTimeStyles.None, out var iso))
            return iso;
        if (DateTimeOffset.TryParseExact(s, "O", culture, DateTimeStyles.AssumeUniversal, out var stamp) ||
            DateTimeOffset.TryParse(s, culture, DateTimeStyles.AssumeUniversal, out stamp) && s.Contains('T'))
            return DateOnly.FromDateTime(stamp.UtcDateTime);
        if (DateOnly.TryParseExact(s, FullDateFormats, culture, DateTimeStyles.None, out var full))
            return full;
        if (ArxivMetadata.ParseSubmissionDate(s) is { } mail)
            return DateOnly.FromDateTime(mail.UtcDateTime);
        // Feb 29 only exists in leap years; step back a year at a time until it parses.
        for (var year = reference.Year; year > reference.Year - 8; year--)
        {
            if (!DateOnly.TryParseExact($"{s} {year}", YearlessFormats.Select(f => f + " yyyy").ToArray(), culture,
                    DateTimeStyles.None, out var day))
                continue;
            if (day <= reference)
                return day;
        }

        return null;
    }

    private static string? Text(JsonElement o, params string[] names) =>
        TextNormalizer.NormalizeOrNull(JsonInput.String(o, names));

    private static List<PaperAuthor> ReadAuthors(JsonElement o)
    {
        switch (JsonInput.Property(o, "authors"))
        {
            case { ValueKind: JsonValueKind.String } text:
                return [.. ArxivMetadata.SplitAuthors(text.GetString())];
            case { ValueKind: JsonValueKind.Array } list:
                var authors = new List<PaperAuthor>();
                foreach (var a in list.EnumerateArray())
                {
                    if (a.ValueKind == JsonValueKind.String && TextNormalizer.NormalizeOrNull(a.GetString()) is { } plain)
                    {
                        authors.Add(new PaperAuthor(plain));
                    }
                    else if (a.ValueKind == JsonValueKind.Object)
                    {
                        var keyname = TextNormalizer.NormalizeOrNull(JsonInput.String(a, "keyname"));
                        var forenames = TextNormalizer.NormalizeOrNull(JsonInput.String(a, "forenames"));
                        var name = TextNormalizer.NormalizeOrNull(JsonInput.String(a, "name"))
                            ?? TextNormalizer.NormalizeOrNull($"{forenames} {keyname}");
                        if (name is not null)
                            authors.Add(new PaperAuthor(name, keyname, forenames));
                    }
                }

                return authors;
            default:
                return [];
        }
    }

    private static IEnumerable<string> ReadCategories(JsonElement o) =>
        JsonInput.Property(o, "categories") switch
        {
            { ValueKind: JsonValueKind.Array } list => list.EnumerateArray()
                .Where(c => c.ValueKind == JsonValueKind.String)
                .Select(c => TextNormalizer.Normalize(c.GetString()))
                .ToArray(),
            { ValueKind: JsonValueKind.String } text => ArxivMetadata.SplitCategories(text.GetString()),
            _ => [],
        };

    private static List<PaperVersion> ReadVersions(JsonElement o)
    {
        if (JsonInput.Property(o, "versions") is not { ValueKind: JsonValueKind.Array } list)
            return [];
        var versions = new List<PaperVersion>();
        foreach (var v in list.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Object))
        {
            var number = JsonInput.Int(v, "number") ??
                (JsonInput.String(v, "version") is ['v' or 'V', .. var digits] &&
                 int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null);
            if (number is not > 0)
                continue;
            var when = JsonInput.String(v, "submittedAt", "created", "date");
            DateTimeOffset? submitted = ArxivMetadata.ParseSubmissionDate(when) ??
                (DateTimeOffset.TryParse(when, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null);
            versions.Add(new PaperVersion(number.Value, submitted, TextNormalizer.NormalizeOrNull(JsonInput.String(v, "size"))));
        }

        return [.. versions.OrderBy(v => v.Number)];
    }
}
