using System.Globalization;
using System.Xml.Linq;
using Papers.Contracts;
using Papers.Domain;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Reads one OAI-PMH <c>oai_dc</c> record: the Dublin Core every OAI-PMH repository must offer, and
/// often the only format of an institutional repository. <c>dc:title</c> (required), <c>dc:creator</c>
/// (one per author, often "Surname, Forenames"), <c>dc:description</c> (the abstract),
/// <c>dc:subject</c> (the repository's own subjects, kept as categories), <c>dc:date</c> (the earliest
/// is the publication date, the latest the update), <c>dc:identifier</c> (an arXiv id, DOIs, the
/// landing page) and <c>dc:rights</c>. The record's OAI identifier is kept as an
/// external id, so a paper without arXiv id or DOI is still known by the repository's own id.
/// </summary>
public static class DublinCoreRecord
{
    public const string SourceLabel = "oai-dc";

    public static readonly XNamespace OaiDc = "http://www.openarchives.org/OAI/2.0/oai_dc/";
    public static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-MM", "yyyy"];

    public static SourcePaper Parse(XElement dc, string oaiIdentifier, DateOnly? datestamp, string source)
    {
        var title = TextNormalizer.Normalize(Values(dc, "title").FirstOrDefault());
        if (title.Length == 0)
            throw XmlInput.Missing(source, dc, $"<dc:title> (record {oaiIdentifier})");

        // Only dc:identifier names this record; dc:relation names other works (a cited paper, a
        // data set), whose arXiv id or DOI must not become this paper's.
        var identifiers = Values(dc, "identifier").Select(TextNormalizer.Normalize).ToList();
        var arxivId = new[] { oaiIdentifier }.Concat(identifiers)
            .Where(i => i.Contains("arxiv", StringComparison.OrdinalIgnoreCase))
            .Select(i => ArxivId.TryParse(i, out var id) ? id.Value : null)
            .FirstOrDefault(i => i is not null);
        var dates = Values(dc, "date").Select(ParseDate).Where(d => d is not null).Select(d => d!.Value).Order().ToList();
        var subjects = Values(dc, "subject").Select(TextNormalizer.Normalize).Where(s => s.Length > 0).Distinct().ToArray();

        return new SourcePaper(
            arxivId,
            title,
            TextNormalizer.Normalize(Values(dc, "description").FirstOrDefault()),
            [.. Values(dc, "creator").Select(Author).Where(a => a is not null).Select(a => a!)],
            null,
            subjects,
            [],
            dates.Count > 0 ? dates[0] : null,
            datestamp,
            SourceLabel,
            Dois: [.. identifiers.SelectMany(ArxivMetadata.SplitDois).Distinct(StringComparer.OrdinalIgnoreCase)],
            License: TextNormalizer.NormalizeOrNull(Values(dc, "rights").FirstOrDefault()),
            AbsUrl: identifiers.FirstOrDefault(i => i.StartsWith("http", StringComparison.OrdinalIgnoreCase) && !i.Contains("doi.org", StringComparison.OrdinalIgnoreCase))
                ?? (arxivId is null ? null : ArxivMetadata.AbsUrl(arxivId)),
            PdfUrl: arxivId is null ? null : ArxivMetadata.PdfUrl(arxivId),
            UpdatedOn: dates.Count > 1 ? dates[^1] : null,
            ExternalIds: [oaiIdentifier]);
    }

    private static IEnumerable<string> Values(XElement dc, string name) =>
        dc.Elements(Dc + name).Select(e => e.Value).Where(v => !string.IsNullOrWhiteSpace(v));

    /// <summary>"Lovelace, Ada" is keyname and forenames; a name without a comma is kept as written.</summary>
    private static PaperAuthor? Author(string creator)
    {
        var text = TextNormalizer.Normalize(creator);
        if (text.Length == 0)
            return null;
        var parts = text.Split(',', 2, StringSplitOptions.TrimEntries);
        return parts is [var keyname, var forenames] && keyname.Length > 0 && forenames.Length > 0
            ? new PaperAuthor($"{forenames} {keyname}", keyname, forenames)
            : new PaperAuthor(text);
    }

    /// <summary>W3CDTF dates as repositories write them: a day, a month, a year, or a timestamp.</summary>
    private static DateOnly? ParseDate(string text)
    {
        var s = text.Trim();
        if (DateOnly.TryParseExact(s, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return d;
        return OaiPmhParser.ParseDate(s);
    }
}
