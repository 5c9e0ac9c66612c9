using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Papers.Contracts;
using Papers.Domain;

namespace Papers.Ingest.Parsing;

/// <summary>One arXiv listing feed (<c>rss.arxiv.org/rss/cs.LG+cs.AI</c> or <c>/atom/…</c>), parsed.</summary>
/// <param name="Papers">The day's announcements in feed order; empty on days without one (weekends, holidays).</param>
/// <param name="ListedOn">The announcement day the feed is for, from its build date (arXiv's time zone).</param>
public sealed record ArxivListingFeed(IReadOnlyList<SourcePaper> Papers, DateOnly? ListedOn);

/// <summary>
/// Parses arXiv's daily listing feeds in both shapes arXiv serves them (info.arxiv.org/help/rss):
/// RSS 2.0 (<c>item</c>: <c>title</c>, <c>link</c>, <c>description</c> = "arXiv:ID Announce Type: new
/// Abstract: …", <c>guid</c> = <c>oai:arXiv.org:IDvN</c>, <c>category</c>s, <c>pubDate</c>,
/// <c>arxiv:announce_type</c>, <c>dc:creator</c>, <c>dc:rights</c>) and Atom (<c>entry</c> with the same
/// content as <c>id</c>, <c>summary</c>, <c>category term</c>, <c>published</c>, <c>author/name</c>,
/// <c>rights</c>). <c>announce_type</c> is <c>new</c>, <c>cross</c> (a cross-list into these
/// categories), <c>replace</c> or <c>replace-cross</c> (a new version). A feed with no items is a
/// normal empty result: arXiv announces nothing on weekends and holidays.
/// </summary>
public static partial class ArxivListingFeedParser
{
    public const string SourceLabel = "arxiv-feed";

    public static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    public static readonly XNamespace ArxivSchema = "http://arxiv.org/schemas/atom";
    public static readonly XNamespace DublinCore = "http://purl.org/dc/elements/1.1/";

    public static ArxivListingFeed Parse(string content, string source)
    {
        var document = XmlInput.Load(content, source, "arXiv listing feed");
        var root = document.Root!;
        if (root.Name == "rss")
        {
            var channel = root.Element("channel") ?? throw XmlInput.Missing(source, root, "<channel>");
            var day = DayOf(ParseRfc822(channel.Element("pubDate")?.Value ?? channel.Element("lastBuildDate")?.Value));
            return new ArxivListingFeed([.. channel.Elements("item").Select(i => ParseItem(i, day, source))], day);
        }

        var feed = XmlInput.RequireRoot(document, Atom + "feed", source, "an arXiv listing feed (RSS 2.0 <rss> or Atom <feed>)");
        var updated = DayOf(ParseIso(feed.Element(Atom + "updated")?.Value));
        return new ArxivListingFeed([.. feed.Elements(Atom + "entry").Select(e => ParseEntry(e, updated, source))], updated);
    }

    private static SourcePaper ParseItem(XElement item, DateOnly? feedDay, string source) => Paper(
        item,
        item.Element("guid")?.Value ?? item.Element("link")?.Value,
        item.Element("title")?.Value,
        item.Element("description")?.Value,
        ArxivMetadata.SplitAuthors(string.Join(", ", item.Elements(DublinCore + "creator").Select(c => c.Value))),
        item.Elements("category").Select(c => c.Value.Trim()),
        DayOf(ParseRfc822(item.Element("pubDate")?.Value)) ?? feedDay,
        item.Element(DublinCore + "rights")?.Value,
        item.Element("link")?.Value,
        source);

    private static SourcePaper ParseEntry(XElement entry, DateOnly? feedDay, string source) => Paper(
        entry,
        entry.Element(Atom + "id")?.Value,
        entry.Element(Atom + "title")?.Value,
        entry.Element(Atom + "summary")?.Value,
        // One <author> per author, or one holding every name: both are read as an author list.
        [.. entry.Elements(Atom + "author").SelectMany(a => ArxivMetadata.SplitAuthors(a.Element(Atom + "name")?.Value))],
        entry.Elements(Atom + "category").Select(c => c.Attribute("term")?.Value.Trim() ?? string.Empty),
        DayOf(ParseIso(entry.Element(Atom + "published")?.Value)) ?? feedDay,
        entry.Element(Atom + "rights")?.Value,
        entry.Elements(Atom + "link").Select(l => l.Attribute("href")?.Value).FirstOrDefault(h => h is not null),
        source);

    private static SourcePaper Paper(XElement element, string? rawId, string? rawTitle, string? description,
        IReadOnlyList<PaperAuthor> authors, IEnumerable<string> categories, DateOnly? listedOn, string? rights, string? link, string source)
    {
        if (!ArxivId.TryParse(rawId, out var id))
        {
            var (line, position) = XmlInput.Where(element);
            throw new ConnectorFormatException(source, line, position,
                rawId is null ? $"<{element.Name.LocalName}> has no arXiv id" : $"'{rawId.Trim()}' is not an arXiv id");
        }

        var title = TextNormalizer.Normalize(rawTitle);
        if (title.Length == 0)
            throw XmlInput.Missing(source, element, $"title (paper {id.Value})");
        var (announceType, @abstract) = SplitDescription(description);
        announceType = TextNormalizer.NormalizeOrNull(element.Element(ArxivSchema + "announce_type")?.Value) ?? announceType;
        var all = categories.Where(c => c.Length > 0).Distinct().ToArray();
        var version = id.Version ?? 1;
        return new SourcePaper(
            id.Value,
            title,
            @abstract,
            authors,
            all.FirstOrDefault(),
            all,
            [new PaperVersion(version, null)],
            // The feed gives the announcement day, not the submission date of v1.
            null,
            listedOn,
            SourceLabel,
            License: TextNormalizer.NormalizeOrNull(rights),
            AbsUrl: TextNormalizer.NormalizeOrNull(link) ?? ArxivMetadata.AbsUrl(id.Value),
            PdfUrl: ArxivMetadata.PdfUrl(id.Value),
            AnnounceType: announceType);
    }

    /// <summary>"arXiv:2402.01234v1 Announce Type: new Abstract: …" → (new, the abstract).</summary>
    private static (string? AnnounceType, string Abstract) SplitDescription(string? description)
    {
        var text = TextNormalizer.Normalize(description);
        var match = DescriptionHead().Match(text);
        return match.Success
            ? (match.Groups["type"].Value, text[match.Length..].Trim())
            : (null, text);
    }

    private static DateOnly? DayOf(DateTimeOffset? stamp) => stamp is { } s ? DateOnly.FromDateTime(s.DateTime) : null;

    /// <summary>RSS dates: <c>Mon, 05 Feb 2024 00:00:00 -0500</c> (or <c>GMT</c>), read in their own offset.</summary>
    private static DateTimeOffset? ParseRfc822(string? text)
    {
        var s = NumericOffset().Replace(TextNormalizer.Normalize(text), "$1:$2");
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
    }

    private static DateTimeOffset? ParseIso(string? text) =>
        DateTimeOffset.TryParse(text?.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    [GeneratedRegex(@"^(?:arXiv:\S+\s+)?Announce Type:\s*(?<type>[\w-]+)\s*(?:Abstract:)?", RegexOptions.IgnoreCase)]
    private static partial Regex DescriptionHead();

    [GeneratedRegex(@"([+-]\d{2})(\d{2})$")]
    private static partial Regex NumericOffset();
}
