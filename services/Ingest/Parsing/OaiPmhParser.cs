using System.Globalization;
using System.Xml.Linq;
using Papers.Contracts;
using Papers.Domain;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Parses arXiv OAI-PMH responses (ListRecords, GetRecord) in the <c>arXiv</c> and
/// <c>arXivRaw</c> metadata formats. Structural problems throw <see cref="ConnectorFormatException"/>
/// so that a harvest never advances past a page it could not read; OAI errors throw
/// <see cref="OaiPmhException"/>, except <c>noRecordsMatch</c>, which is an empty last page.
/// </summary>
public static class OaiPmhParser
{
    public const string SourceLabel = "arxiv-oai";

    public static readonly XNamespace Oai = "http://www.openarchives.org/OAI/2.0/";
    public static readonly XNamespace ArxivRaw = "http://arxiv.org/OAI/arXivRaw/";
    public static readonly XNamespace Arxiv = "http://arxiv.org/OAI/arXiv/";

    /// <param name="content">The response body.</param>
    /// <param name="source">The URL or file, for error messages.</param>
    public static OaiPmhPage Parse(string content, string source)
    {
        var document = XmlInput.Load(content, source, "OAI-PMH");
        var root = XmlInput.RequireRoot(document, Oai + "OAI-PMH", source, "an OAI-PMH response");
        var responseDate = ParseDateTime(root.Element(Oai + "responseDate")?.Value);

        foreach (var error in root.Elements(Oai + "error"))
        {
            var code = error.Attribute("code")?.Value ?? "unknown";
            if (code == "noRecordsMatch")
                return new OaiPmhPage([], [], null, 0, null, null, responseDate, null, NoRecordsMatch: true);
            var (line, position) = XmlInput.Where(error);
            throw new OaiPmhException(source, line, position, code, TextNormalizer.Normalize(error.Value));
        }

        var list = root.Element(Oai + "ListRecords") ?? root.Element(Oai + "GetRecord");
        if (list is null)
        {
            var (line, position) = XmlInput.Where(root);
            throw new ConnectorFormatException(source, line, position,
                "the OAI-PMH response has neither <ListRecords>, <GetRecord> nor <error>");
        }

        var papers = new List<SourcePaper>();
        var deleted = new List<string>();
        DateOnly? latest = null;
        foreach (var record in list.Elements(Oai + "record"))
        {
            var paper = ParseRecord(record, source);
            papers.Add(paper);
            if (paper.Deleted)
                deleted.Add(paper.ArxivId!);
            if (paper.ListedOn is { } stamp && (latest is null || stamp > latest))
                latest = stamp;
        }

        var token = list.Element(Oai + "resumptionToken");
        return new OaiPmhPage(
            papers,
            deleted,
            token is null ? null : TextNormalizer.NormalizeOrNull(token.Value),
            ParseInt(token?.Attribute("completeListSize")?.Value),
            ParseInt(token?.Attribute("cursor")?.Value),
            ParseDateTime(token?.Attribute("expirationDate")?.Value),
            responseDate,
            latest);
    }

    private static SourcePaper ParseRecord(XElement record, string source)
    {
        var header = record.Element(Oai + "header") ?? throw XmlInput.Missing(source, record, "<header>");
        var identifier = header.Element(Oai + "identifier")?.Value;
        if (!ArxivId.TryParse(identifier, out var headerId))
        {
            var (line, position) = XmlInput.Where(header.Element(Oai + "identifier") ?? header);
            throw new ConnectorFormatException(source, line, position,
                identifier is null ? "<header> has no <identifier>" : $"'{identifier.Trim()}' is not an arXiv identifier");
        }

        var datestamp = ParseDate(header.Element(Oai + "datestamp")?.Value);
        if ((string?)header.Attribute("status") == "deleted")
        {
            return new SourcePaper(headerId.Value, string.Empty, string.Empty, [], null, [], [], null, datestamp,
                SourceLabel, Deleted: true);
        }

        var metadata = record.Element(Oai + "metadata") ?? throw XmlInput.Missing(source, record, "<metadata>");
        var body = metadata.Elements().FirstOrDefault() ?? throw XmlInput.Missing(source, metadata, "metadata element");
        if (body.Name == ArxivRaw + "arXivRaw")
            return ParseArxivRaw(body, headerId, datestamp, source);
        if (body.Name == Arxiv + "arXiv")
            return ParseArxiv(body, headerId, datestamp, source);

        var (l, p) = XmlInput.Where(body);
        throw new ConnectorFormatException(source, l, p,
            $"unsupported metadata <{body.Name.LocalName}> in namespace '{body.Name.NamespaceName}' " +
            $"(expected arXivRaw in '{ArxivRaw.NamespaceName}' or arXiv in '{Arxiv.NamespaceName}')");
    }

    private static SourcePaper ParseArxivRaw(XElement raw, ArxivId headerId, DateOnly? datestamp, string source)
    {
        var id = IdOf(raw, ArxivRaw, headerId, source);
        var versions = raw.Elements(ArxivRaw + "version")
            .Select(v => new PaperVersion(
                ParseVersionNumber(v.Attribute("version")?.Value) ?? 0,
                ArxivMetadata.ParseSubmissionDate(v.Element(ArxivRaw + "date")?.Value),
                TextNormalizer.NormalizeOrNull(v.Element(ArxivRaw + "size")?.Value)))
            .Where(v => v.Number > 0)
            .OrderBy(v => v.Number)
            .ToArray();
        var categories = ArxivMetadata.SplitCategories(raw.Element(ArxivRaw + "categories")?.Value);
        return new SourcePaper(
            id,
            RequiredText(raw, ArxivRaw + "title", id, source),
            TextNormalizer.Normalize(raw.Element(ArxivRaw + "abstract")?.Value),
            ArxivMetadata.SplitAuthors(raw.Element(ArxivRaw + "authors")?.Value),
            categories.FirstOrDefault(),
            categories,
            versions,
            ArxivMetadata.DateOf(versions.FirstOrDefault(v => v.Number == 1)?.SubmittedAt),
            datestamp,
            SourceLabel,
            Comments: Optional(raw, ArxivRaw + "comments"),
            JournalRef: Optional(raw, ArxivRaw + "journal-ref"),
            Doi: Optional(raw, ArxivRaw + "doi"),
            License: Optional(raw, ArxivRaw + "license"),
            AbsUrl: ArxivMetadata.AbsUrl(id),
            PdfUrl: ArxivMetadata.PdfUrl(id));
    }

    private static SourcePaper ParseArxiv(XElement arxiv, ArxivId headerId, DateOnly? datestamp, string source)
    {
        var id = IdOf(arxiv, Arxiv, headerId, source);
        // The arXiv format gives the first and the latest submission date but no version numbers,
        // so only v1 is known for certain.
        var created = ParseDate(arxiv.Element(Arxiv + "created")?.Value);
        PaperVersion[] versions = created is { } c
            ? [new PaperVersion(1, new DateTimeOffset(c.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero))]
            : [];
        var authors = arxiv.Element(Arxiv + "authors")?.Elements(Arxiv + "author")
            .Select(ParseStructuredAuthor)
            .Where(a => a is not null)
            .Select(a => a!)
            .ToArray() ?? [];
        var categories = ArxivMetadata.SplitCategories(arxiv.Element(Arxiv + "categories")?.Value);
        return new SourcePaper(
            id,
            RequiredText(arxiv, Arxiv + "title", id, source),
            TextNormalizer.Normalize(arxiv.Element(Arxiv + "abstract")?.Value),
            authors,
            categories.FirstOrDefault(),
            categories,
            versions,
            created,
            datestamp,
            SourceLabel,
            Comments: Optional(arxiv, Arxiv + "comments"),
            JournalRef: Optional(arxiv, Arxiv + "journal-ref"),
            Doi: Optional(arxiv, Arxiv + "doi"),
            License: Optional(arxiv, Arxiv + "license"),
            AbsUrl: ArxivMetadata.AbsUrl(id),
            PdfUrl: ArxivMetadata.PdfUrl(id));
    }

    private static PaperAuthor? ParseStructuredAuthor(XElement author)
    {
        var keyname = TextNormalizer.NormalizeOrNull(author.Element(Arxiv + "keyname")?.Value);
        var forenames = TextNormalizer.NormalizeOrNull(author.Element(Arxiv + "forenames")?.Value);
        var suffix = TextNormalizer.NormalizeOrNull(author.Element(Arxiv + "suffix")?.Value);
        var name = string.Join(' ', new[] { forenames, keyname, suffix }.Where(s => s is not null));
        return name.Length == 0 ? null : new PaperAuthor(name, keyname, forenames);
    }

    private static string IdOf(XElement body, XNamespace ns, ArxivId headerId, string source)
    {
        var idElement = body.Element(ns + "id");
        if (idElement is null)
            return headerId.Value;
        if (ArxivId.TryParse(idElement.Value, out var id))
            return id.Value;
        var (line, position) = XmlInput.Where(idElement);
        throw new ConnectorFormatException(source, line, position, $"'{idElement.Value.Trim()}' is not an arXiv id");
    }

    private static string RequiredText(XElement body, XName name, string id, string source)
    {
        var text = TextNormalizer.Normalize(body.Element(name)?.Value);
        return text.Length > 0 ? text : throw XmlInput.Missing(source, body, $"<{name.LocalName}> (record {id})");
    }

    private static string? Optional(XElement body, XName name) =>
        TextNormalizer.NormalizeOrNull(body.Element(name)?.Value);

    private static int? ParseVersionNumber(string? text) =>
        text is ['v' or 'V', .. var digits] && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static int? ParseInt(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : ArxivMetadata.DateOf(ParseDateTime(text));

    private static DateTimeOffset? ParseDateTime(string? text) =>
        DateTimeOffset.TryParse(text?.Trim(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)
            ? d
            : null;
}
