using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace Papers.Ingest.Parsing;

/// <summary>
/// Loads XML responses the way every XML connector needs: an HTML error page, an empty body or a
/// truncated document becomes a <see cref="ConnectorFormatException"/> that names the source and
/// position, and DTDs are refused (no entity expansion from a hostile or broken upstream).
/// </summary>
internal static partial class XmlInput
{
    public static XDocument Load(string content, string source, string expected)
    {
        RejectNonXml(content, source, expected);

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(content), settings);
            return XDocument.Load(reader, LoadOptions.SetLineInfo | LoadOptions.PreserveWhitespace);
        }
        catch (XmlException ex)
        {
            var detail = ex.Message.Contains("Unexpected end of file", StringComparison.OrdinalIgnoreCase)
                ? $"truncated {expected} XML: {ex.Message}"
                : $"malformed {expected} XML: {ex.Message}";
            throw new ConnectorFormatException(source, ex.LineNumber, ex.LinePosition, detail, ex);
        }
    }

    /// <summary>Throws when the root is not <paramref name="expected"/>, telling a wrong namespace
    /// apart from a different document altogether.</summary>
    public static XElement RequireRoot(XDocument document, XName expected, string source, string what)
    {
        var root = document.Root!;
        if (root.Name == expected)
            return root;
        var (line, position) = Where(root);
        if (root.Name.LocalName == expected.LocalName)
        {
            var actualNamespace = root.Name.NamespaceName.Length == 0 ? "no namespace" : $"namespace '{root.Name.NamespaceName}'";
            throw new ConnectorFormatException(source, line, position,
                $"wrong namespace: <{root.Name.LocalName}> is in {actualNamespace}, expected '{expected.NamespaceName}'");
        }

        throw new ConnectorFormatException(source, line, position,
            $"expected {what} (<{expected.LocalName}> in '{expected.NamespaceName}') but the document is <{root.Name.LocalName}>" +
            (root.Name.NamespaceName.Length > 0 ? $" in '{root.Name.NamespaceName}'" : string.Empty));
    }

    public static (int? Line, int? Position) Where(XObject? node) =>
        node is IXmlLineInfo info && info.HasLineInfo() ? (info.LineNumber, info.LinePosition) : (null, null);

    public static ConnectorFormatException Missing(string source, XElement parent, string what) =>
        new(source, Where(parent).Line, Where(parent).Position, $"<{parent.Name.LocalName}> has no {what}");

    private static void RejectNonXml(string content, string source, string expected)
    {
        var start = 0;
        while (start < content.Length && (char.IsWhiteSpace(content[start]) || content[start] == '\uFEFF'))
            start++;
        if (start == content.Length)
            throw new ConnectorFormatException(source, null, null, $"empty response where {expected} XML was expected");

        if (content[start] != '<')
        {
            var preview = content.Substring(start, Math.Min(60, content.Length - start)).ReplaceLineEndings(" ");
            throw new ConnectorFormatException(source, LineOf(content, start), 1,
                $"expected {expected} XML but the content starts with '{preview}'");
        }

        // An XML declaration or comment may come first (XHTML), so look at the whole head of the body.
        var head = content.Substring(start, Math.Min(1024, content.Length - start));
        var html = HtmlStart().Match(head);
        if (html.Success)
        {
            var title = HtmlTitle().Match(content);
            var titleText = title.Success ? $" (title: '{TextNormalizer.Normalize(title.Groups[1].Value)}')" : string.Empty;
            throw new ConnectorFormatException(source, LineOf(content, start + html.Index), 1,
                $"expected {expected} XML but got an HTML page{titleText}");
        }
    }

    private static int LineOf(string content, int index)
    {
        var line = 1;
        for (var i = 0; i < index; i++)
        {
            if (content[i] == '\n')
                line++;
        }

        return line;
    }

    [GeneratedRegex(@"<(?:!DOCTYPE\s+html|html[\s>]|head[\s>]|body[\s>])", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlStart();

    [GeneratedRegex(@"<title[^>]*>(.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex HtmlTitle();
}
