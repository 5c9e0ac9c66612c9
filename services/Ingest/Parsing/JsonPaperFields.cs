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

    public static bool TryRead(JsonElement item, string label, DateOnly reference, out SourcePaper paper, out string problem)
    {
        paper = null!;
        // A Hugging Face daily-papers item keeps the paper (its arXiv id, authors) under "paper"
        // and repeats some fields beside it: read the inner object first, then the item.
        var o = new Layers(JsonInput.Property(item, "paper") is { ValueKind: JsonValueKind.Object } inner ? [inner, item] : [item]);
        var title = TextNormalizer.Normalize(o.String("title"));
        if (title.Length == 0)
        {
            // An API's error object ({"error": "..."}) where papers were expected says more than "no title".
            problem = o.String("error") is { } error ? $"an error object, not a paper: {error}" : "missing 'title'";
            return false;
        }

        var rawId = o.String("arxivId", "arxiv_id", "paper_id", "id");
        ArxivId? id = ArxivId.TryParse(rawId, out var parsed) ? parsed : null;
        var versions = o.Property("versions") is { } v ? ReadVersions(v) : [];
        if (versions.Count == 0 && id?.Version is { } version)
            versions = [new PaperVersion(version, null)];

        var primary = o.String("primaryCategory", "primary_category");
        var published = ParseDate(o.String("publishedOn", "published", "publishedAt", "publishedText", "created"), reference)
            ?? ArxivMetadata.DateOf(versions.FirstOrDefault(v => v.Number == 1)?.SubmittedAt);

        paper = new SourcePaper(
            id?.Value,
            title,
            TextNormalizer.Normalize(o.String("abstract", "summary")),
            ReadAuthors(o.Property("authors")),
            primary,
            ArxivMetadata.PrimaryFirst(primary, ReadCategories(o.Property("categories"))),
            versions,
            published,
            ParseDate(o.String("listedOn", "listed_on", "submittedOnDailyAt"), reference),
            label,
            SourceUpvotes: o.Int("sourceUpvotes", "upvotes") ?? 0,
            Comments: Text(o, "comments", "comment"),
            JournalRef: Text(o, "journalRef", "journal_ref", "journal-ref"),
            Dois: ReadDois(o),
            License: Text(o, "license"),
            AbsUrl: Text(o, "absUrl", "abs", "url") ?? (id is { } a ? ArxivMetadata.AbsUrl(a.Value) : null),
            PdfUrl: Text(o, "pdfUrl", "pdf", "pdf_url") ?? (id is { } b ? ArxivMetadata.PdfUrl(b.Value) : null),
            SubmittedBy: Text(o, "submittedBy"),
            Deleted: o.Property("deleted") is { ValueKind: JsonValueKind.True },
            UpdatedOn: ParseDate(o.String("updatedOn", "updated"), reference),
            ExternalIds: ReadExternalIds(o, id is null ? rawId : null));
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

    private static string? Text(Layers o, params string[] names) =>
        TextNormalizer.NormalizeOrNull(o.String(names));

    private static IReadOnlyList<string>? ReadDois(Layers o) =>
        o.Property("dois") is { ValueKind: JsonValueKind.Array } list
            ? [.. list.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.String).SelectMany(d => ArxivMetadata.SplitDois(d.GetString())).Distinct()]
            : ArxivMetadata.SplitDois(o.String("doi"));

    /// <summary>Our own export's <c>externalIds</c>, the catalogue ids crawls carry, and an <c>id</c>
    /// that is no arXiv id (kept with the <c>file:</c> scheme rather than dropped). A short <c>id</c>
    /// (under 8 characters: <c>1</c>, <c>42</c>) is a row number, not an identifier: two files would
    /// share it for different papers, so it is not kept (the paper is then known by title, first
    /// author and year).</summary>
    private static IReadOnlyList<string>? ReadExternalIds(Layers o, string? otherId)
    {
        var ids = new List<string>();
        if (o.Property("externalIds") is { ValueKind: JsonValueKind.Array } list)
            ids.AddRange(list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!.Trim()));
        if (TextNormalizer.NormalizeOrNull(o.String("s2_id", "corpusId", "paperId_s2")) is { } s2)
            ids.Add("s2:" + s2);
        if (TextNormalizer.NormalizeOrNull(o.String("openalex_id", "openalexId")) is { } openAlex)
            ids.Add("openalex:" + openAlex.Replace("https://openalex.org/", string.Empty, StringComparison.Ordinal));
        if (TextNormalizer.NormalizeOrNull(otherId) is { Length: >= 8 } other)
            ids.Add("file:" + other);
        ids = [.. ids.Where(i => i.Length > 0).Distinct(StringComparer.Ordinal)];
        return ids.Count == 0 ? null : ids;
    }

    private static List<PaperAuthor> ReadAuthors(JsonElement? field)
    {
        switch (field)
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

    private static IEnumerable<string> ReadCategories(JsonElement? categories) =>
        categories switch
        {
            { ValueKind: JsonValueKind.Array } list => list.EnumerateArray()
                .Where(c => c.ValueKind == JsonValueKind.String)
                .Select(c => TextNormalizer.Normalize(c.GetString()))
                .ToArray(),
            { ValueKind: JsonValueKind.String } text => ArxivMetadata.SplitCategories(text.GetString()),
            _ => [],
        };

    private static List<PaperVersion> ReadVersions(JsonElement versionList)
    {
        if (versionList is not { ValueKind: JsonValueKind.Array } list)
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

    /// <summary>Objects read in turn: a field is taken from the first that has it.</summary>
    private readonly record struct Layers(JsonElement[] Objects)
    {
        public string? String(params string[] names) =>
            Objects.Select(o => JsonInput.String(o, names)).FirstOrDefault(v => v is not null);

        public int? Int(params string[] names) =>
            Objects.Select(o => JsonInput.Int(o, names)).FirstOrDefault(v => v is not null);

        public JsonElement? Property(params string[] names) =>
            Objects.Select(o => JsonInput.Property(o, names)).FirstOrDefault(v => v is not null);
    }
}
