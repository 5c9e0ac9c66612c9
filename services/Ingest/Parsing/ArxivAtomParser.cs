using System.Globalization;
using System.Xml.Linq;
using Papers.Contracts;
using Papers.Domain;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Parses arXiv query API (Atom) responses. Both the 2016 format (namespaces declared per element,
/// <c>published</c> before <c>title</c>, doi links) and the 2026 format (namespaces on the root,
/// https links, a different element order) are read by name, never by position. The API's
/// <c>Error</c> entry becomes an <see cref="ArxivApiException"/> carrying the API's message.
/// </summary>
public static class ArxivAtomParser
{
    public const string SourceLabel = "arxiv-api";

    public static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    public static readonly XNamespace ArxivSchema = "http://arxiv.org/schemas/atom";
    public static readonly XNamespace OpenSearch = "http://a9.com/-/spec/opensearch/1.1/";

    public static ArxivAtomPage Parse(string content, string source)
    {
        var document = XmlInput.Load(content, source, "arXiv Atom");
        var feed = XmlInput.RequireRoot(document, Atom + "feed", source, "an arXiv Atom feed");

        var papers = new List<SourcePaper>();
        foreach (var entry in feed.Elements(Atom + "entry"))
        {
            ThrowIfErrorEntry(entry, source);
            papers.Add(ParseEntry(entry, source));
        }

        return new ArxivAtomPage(
            papers,
            ParseInt(feed.Element(OpenSearch + "totalResults")?.Value),
            ParseInt(feed.Element(OpenSearch + "startIndex")?.Value),
            ParseInt(feed.Element(OpenSearch + "itemsPerPage")?.Value),
            ParseDateTime(feed.Element(Atom + "updated")?.Value));
    }

    private static void ThrowIfErrorEntry(XElement entry, string source)
    {
        var id = entry.Element(Atom + "id")?.Value.Trim();
        var title = entry.Element(Atom + "title")?.Value.Trim();
        // The API reports bad queries as a feed with one entry titled "Error" whose id points into
        // /api/errors; treating it as a paper would ingest an "Error" paper.
        if (title != "Error" || id is null || !id.Contains("/api/errors", StringComparison.Ordinal))
            return;
        var message = TextNormalizer.Normalize(entry.Element(Atom + "summary")?.Value);
        throw new ArxivApiException(source, XmlInput.Where(entry).Line, message.Length > 0 ? message : id, id);
    }

    private static SourcePaper ParseEntry(XElement entry, string source)
    {
        var idElement = entry.Element(Atom + "id") ?? throw XmlInput.Missing(source, entry, "<id>");
        if (!ArxivId.TryParse(idElement.Value, out var id))
        {
            var (line, position) = XmlInput.Where(idElement);
            throw new ConnectorFormatException(source, line, position, $"'{idElement.Value.Trim()}' is not an arXiv abs URL");
        }

        var title = TextNormalizer.Normalize(entry.Element(Atom + "title")?.Value);
        if (title.Length == 0)
            throw XmlInput.Missing(source, entry, "<title>");

        var published = ParseDateTime(entry.Element(Atom + "published")?.Value);
        var updated = ParseDateTime(entry.Element(Atom + "updated")?.Value);
        var primary = entry.Element(ArxivSchema + "primary_category")?.Attribute("term")?.Value;
        var categories = entry.Elements(Atom + "category")
            .Select(c => c.Attribute("term")?.Value.Trim() ?? string.Empty);
        var links = entry.Elements(Atom + "link").ToArray();

        return new SourcePaper(
            id.Value,
            title,
            TextNormalizer.Normalize(entry.Element(Atom + "summary")?.Value),
            entry.Elements(Atom + "author")
                .Select(a => TextNormalizer.Normalize(a.Element(Atom + "name")?.Value))
                .Where(n => n.Length > 0)
                .Select(n => new PaperAuthor(n))
                .ToArray(),
            primary,
            ArxivMetadata.PrimaryFirst(primary, categories),
            Versions(id.Version ?? 1, published, updated),
            ArxivMetadata.DateOf(published),
            null,
            SourceLabel,
            Comments: TextNormalizer.NormalizeOrNull(entry.Element(ArxivSchema + "comment")?.Value),
            JournalRef: TextNormalizer.NormalizeOrNull(entry.Element(ArxivSchema + "journal_ref")?.Value),
            Dois: ArxivMetadata.SplitDois(entry.Element(ArxivSchema + "doi")?.Value),
            AbsUrl: LinkHref(links, l => (string?)l.Attribute("rel") == "alternate") ?? ArxivMetadata.AbsUrl(id.Value),
            PdfUrl: LinkHref(links, l => (string?)l.Attribute("title") == "pdf") ?? ArxivMetadata.PdfUrl(id.Value));
    }

    /// <summary>The feed gives the v1 date (published) and the latest version's date (updated);
    /// versions in between are not in the response.</summary>
    private static PaperVersion[] Versions(int latest, DateTimeOffset? published, DateTimeOffset? updated) =>
        latest <= 1
            ? [new PaperVersion(1, published)]
            : [new PaperVersion(1, published), new PaperVersion(latest, updated)];

    private static string? LinkHref(IEnumerable<XElement> links, Func<XElement, bool> predicate) =>
        links.Where(predicate).Select(l => l.Attribute("href")?.Value.Trim()).FirstOrDefault(h => !string.IsNullOrEmpty(h));

    private static int? ParseInt(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static DateTimeOffset? ParseDateTime(string? text) =>
        DateTimeOffset.TryParse(text?.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
            ? d.ToUniversalTime()
            : null;
}
