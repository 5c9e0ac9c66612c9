using System.Globalization;
using System.Text;
using System.Xml;
using Papers.Api.Browse;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Web;

public enum FeedFormat
{
    Rss,
    Atom,
}

/// <summary>An entry of a feed. <see cref="Id"/> is the paper's page: the same in every feed and every fetch.</summary>
public sealed record FeedItem(string Id, string Title, string Url, string Summary, IReadOnlyList<string> Authors,
    DateTimeOffset Published, DateTimeOffset Updated, IReadOnlyList<string> Categories);

public sealed record Feed(string Title, string Description, string HtmlUrl, string SelfUrl, IReadOnlyList<FeedItem> Items);

/// <summary>
/// RSS 2.0 and Atom 1.0 (RFC 4287) for every listing: the daily list, topics, authors, searches —
/// the page's own URL with <c>format=rss</c> or <c>format=atom</c>. Item ids are the papers' page
/// URLs; an item is published on the day it was listed and updated when its latest version came,
/// so neither moves between fetches; the feed's date is its newest item's. Text is written as XML
/// text (characters XML cannot carry are dropped), never as markup.
/// </summary>
public static class Feeds
{
    public const int MaxItems = 50;
    private const string AtomNs = "http://www.w3.org/2005/Atom";
    private const string DcNs = "http://purl.org/dc/elements/1.1/";

    public static bool TryParse(string? format, out FeedFormat feed)
    {
        feed = default;
        switch (format?.ToLowerInvariant())
        {
            case "rss":
                feed = FeedFormat.Rss;
                return true;
            case "atom":
                feed = FeedFormat.Atom;
                return true;
            default:
                return false;
        }
    }

    public static FeedItem Item(ListedPaper listed, PublicSiteOptions site)
    {
        var p = listed.Paper;
        var url = site.Link(Format.PaperUrl(p.PaperId));
        var published = new DateTimeOffset(p.ListedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var updated = p.IngestedAt > published ? p.IngestedAt.ToUniversalTime() : published;
        var topics = p.Categories.Concat(listed.Current?.Tags.Select(t => t.Topic) ?? []).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return new FeedItem(url, p.Title, url, p.Abstract, [.. p.Authors.Select(a => a.Name)], published, updated, topics);
    }

    /// <summary>The feed as a cacheable response (ETag, <c>Cache-Control</c>; 304 when unchanged).</summary>
    public static IResult Result(Feed feed, FeedFormat format) => new CachedResult(
        Write(feed, format),
        format == FeedFormat.Rss ? "application/rss+xml; charset=utf-8" : "application/atom+xml; charset=utf-8",
        TimeSpan.FromMinutes(5));

    public static byte[] Write(Feed feed, FeedFormat format)
    {
        using var buffer = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, CheckCharacters = true };
        using (var xml = XmlWriter.Create(buffer, settings))
        {
            if (format == FeedFormat.Rss)
                WriteRss(xml, feed);
            else
                WriteAtom(xml, feed);
        }
        return buffer.ToArray();
    }

    private static DateTimeOffset Updated(Feed feed) => feed.Items.Count == 0 ? DateTimeOffset.UnixEpoch : feed.Items.Max(i => i.Updated);

    private static void WriteRss(XmlWriter xml, Feed feed)
    {
        xml.WriteStartDocument();
        xml.WriteStartElement("rss");
        xml.WriteAttributeString("version", "2.0");
        xml.WriteAttributeString("xmlns", "atom", null, AtomNs);
        xml.WriteAttributeString("xmlns", "dc", null, DcNs);
        xml.WriteStartElement("channel");
        xml.WriteElementString("title", Clean(feed.Title));
        xml.WriteElementString("link", feed.HtmlUrl);
        xml.WriteElementString("description", Clean(feed.Description));
        xml.WriteStartElement("link", AtomNs);
        xml.WriteAttributeString("href", feed.SelfUrl);
        xml.WriteAttributeString("rel", "self");
        xml.WriteAttributeString("type", "application/rss+xml");
        xml.WriteEndElement();
        xml.WriteElementString("language", "en");
        xml.WriteElementString("lastBuildDate", Rfc822(Updated(feed)));
        xml.WriteElementString("generator", "Papers");
        foreach (var item in feed.Items)
        {
            xml.WriteStartElement("item");
            xml.WriteElementString("title", Clean(item.Title));
            xml.WriteElementString("link", item.Url);
            xml.WriteStartElement("guid");
            xml.WriteAttributeString("isPermaLink", "true");
            xml.WriteString(item.Id);
            xml.WriteEndElement();
            xml.WriteElementString("pubDate", Rfc822(item.Published));
            xml.WriteElementString("description", Clean(item.Summary));
            if (item.Authors.Count > 0)
                xml.WriteElementString("creator", DcNs, Clean(string.Join(", ", item.Authors)));
            foreach (var category in item.Categories)
                xml.WriteElementString("category", Clean(category));
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private static void WriteAtom(XmlWriter xml, Feed feed)
    {
        xml.WriteStartDocument();
        xml.WriteStartElement("feed", AtomNs);
        xml.WriteElementString("id", AtomNs, feed.SelfUrl);
        WriteText(xml, "title", feed.Title);
        WriteText(xml, "subtitle", feed.Description);
        xml.WriteElementString("updated", AtomNs, Rfc3339(Updated(feed)));
        WriteLink(xml, "self", feed.SelfUrl, "application/atom+xml");
        WriteLink(xml, "alternate", feed.HtmlUrl, "text/html");
        xml.WriteStartElement("author", AtomNs);
        xml.WriteElementString("name", AtomNs, "Papers");
        xml.WriteEndElement();
        xml.WriteElementString("generator", AtomNs, "Papers");
        foreach (var item in feed.Items)
        {
            xml.WriteStartElement("entry", AtomNs);
            xml.WriteElementString("id", AtomNs, item.Id);
            WriteText(xml, "title", item.Title);
            WriteLink(xml, "alternate", item.Url, "text/html");
            xml.WriteElementString("published", AtomNs, Rfc3339(item.Published));
            xml.WriteElementString("updated", AtomNs, Rfc3339(item.Updated));
            foreach (var author in item.Authors)
            {
                xml.WriteStartElement("author", AtomNs);
                xml.WriteElementString("name", AtomNs, Clean(author));
                xml.WriteEndElement();
            }
            foreach (var category in item.Categories)
            {
                xml.WriteStartElement("category", AtomNs);
                xml.WriteAttributeString("term", Clean(category));
                xml.WriteEndElement();
            }
            WriteText(xml, "summary", item.Summary);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private static void WriteText(XmlWriter xml, string name, string text)
    {
        xml.WriteStartElement(name, AtomNs);
        xml.WriteAttributeString("type", "text");
        xml.WriteString(Clean(text));
        xml.WriteEndElement();
    }

    private static void WriteLink(XmlWriter xml, string rel, string href, string type)
    {
        xml.WriteStartElement("link", AtomNs);
        xml.WriteAttributeString("rel", rel);
        xml.WriteAttributeString("type", type);
        xml.WriteAttributeString("href", href);
        xml.WriteEndElement();
    }

    private static string Rfc822(DateTimeOffset at) => at.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    private static string Rfc3339(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The text without the characters XML 1.0 cannot carry (control characters, lone surrogates).</summary>
    public static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (XmlConvert.IsXmlChar(text[i]))
                clean.Append(text[i]);
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
                clean.Append(text, i++, 2);
        }
        return clean.ToString();
    }
}
