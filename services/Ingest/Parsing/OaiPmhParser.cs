using System.Globalization;
using System.Xml.Linq;
using Papers.Contracts;
using Papers.Domain;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Parses OAI-PMH responses (ListRecords, GetRecord) in arXiv's <c>arXiv</c> and <c>arXivRaw</c>
/// metadata formats and in Dublin Core (<c>oai_dc</c>, <see cref="DublinCoreRecord"/>), which any
/// repository offers. A page that cannot be read as a whole (not XML, truncated, a wrong root)
/// throws <see cref="ConnectorFormatException"/>, so a harvest never advances past it; a record that
/// cannot be read becomes a <see cref="RecordFailure"/> and the rest of the page is kept, so one bad
/// record never costs a page. OAI errors throw <see cref="OaiPmhException"/>, except
/// <c>noRecordsMatch</c>, which is an empty last page.
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
        var failures = new List<RecordFailure>();
        var read = new List<string>();
        DateOnly? latest = null;
        var place = 0;
        foreach (var record in list.Elements(Oai + "record"))
        {
            place++;
            // The datestamp counts even for a record that fails: the harvest has been past it.
            if (ParseDate(record.Element(Oai + "header")?.Element(Oai + "datestamp")?.Value) is { } stamp && (latest is null || stamp > latest))
                latest = stamp;
            SourcePaper paper;
            try
            {
                paper = ParseRecord(record, source);
            }
            catch (ConnectorFormatException ex)
            {
                var identifier = TextNormalizer.NormalizeOrNull(record.Element(Oai + "header")?.Element(Oai + "identifier")?.Value);
                failures.Add(new RecordFailure(identifier ?? $"record {place}", ex.Detail, ex.Line, ex.Position, record.ToString(SaveOptions.DisableFormatting)));
                continue;
            }

            papers.Add(paper);
            read.Add(RecordIdOf(record));
            if (paper.Deleted)
                deleted.Add(paper.ArxivId ?? RecordIdOf(record));
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
            latest,
            Failures: failures,
            RecordIds: read);
    }

    private static string RecordIdOf(XElement record) =>
        TextNormalizer.Normalize(record.Element(Oai + "header")?.Element(Oai + "identifier")?.Value);

    private static SourcePaper ParseRecord(XElement record, string source)
    {
        var header = record.Element(Oai + "header") ?? throw XmlInput.Missing(source, record, "<header>");
        var identifier = TextNormalizer.NormalizeOrNull(header.Element(Oai + "identifier")?.Value)
            ?? throw XmlInput.Missing(source, header, "<identifier>");
        var datestamp = ParseDate(header.Element(Oai + "datestamp")?.Value);
        var arxivId = ArxivId.TryParse(identifier, out var parsed) ? parsed : (ArxivId?)null;
        if ((string?)header.Attribute("status") == "deleted")
        {
            return new SourcePaper(arxivId?.Value, string.Empty, string.Empty, [], null, [], [], null, datestamp,
                arxivId is null ? DublinCoreRecord.SourceLabel : SourceLabel, Deleted: true, ExternalIds: arxivId is null ? [identifier] : null);
        }

        var metadata = record.Element(Oai + "metadata") ?? throw XmlInput.Missing(source, record, "<metadata>");
        var body = metadata.Elements().FirstOrDefault() ?? throw XmlInput.Missing(source, metadata, "metadata element");
        if (body.Name == DublinCoreRecord.OaiDc + "dc")
            return DublinCoreRecord.Parse(body, identifier, datestamp, source);
        if (body.Name != ArxivRaw + "arXivRaw" && body.Name != Arxiv + "arXiv")
        {
            var (l, p) = XmlInput.Where(body);
            throw new ConnectorFormatException(source, l, p,
                $"unsupported metadata <{body.Name.LocalName}> in " +
                (body.Name.NamespaceName.Length == 0 ? "no namespace" : $"namespace '{body.Name.NamespaceName}'") +
                $" (expected arXivRaw in '{ArxivRaw.NamespaceName}', arXiv in '{Arxiv.NamespaceName}' or oai_dc in '{DublinCoreRecord.OaiDc.NamespaceName}')");
        }

        if (arxivId is not { } headerId)
        {
            var (line, position) = XmlInput.Where(header.Element(Oai + "identifier"));
            throw new ConnectorFormatException(source, line, position, $"'{identifier}' is not an arXiv identifier");
        }

        return body.Name == ArxivRaw + "arXivRaw"
            ? ParseArxivRaw(body, headerId, datestamp, source)
            : ParseArxiv(body, headerId, datestamp, source);
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
            Dois: ArxivMetadata.SplitDois(raw.Element(ArxivRaw + "doi")?.Value),
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
        var updated = ParseDate(arxiv.Element(Arxiv + "updated")?.Value);
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
            Dois: ArxivMetadata.SplitDois(arxiv.Element(Arxiv + "doi")?.Value),
            License: Optional(arxiv, Arxiv + "license"),
            AbsUrl: ArxivMetadata.AbsUrl(id),
            PdfUrl: ArxivMetadata.PdfUrl(id),
            UpdatedOn: updated);
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

    internal static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : ArxivMetadata.DateOf(ParseDateTime(text));

    private static DateTimeOffset? ParseDateTime(string? text) =>
        DateTimeOffset.TryParse(text?.Trim(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)
            ? d
            : null;
}
