using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Papers.Ingest.Parsing;

/// <summary>
/// JSON loading shared by the JSON connectors: an HTML page or a broken document becomes a
/// <see cref="ConnectorFormatException"/> with the 1-based line and position, and the line where
/// each item of a top-level array starts is known, so item problems can name their line.
/// </summary>
internal static class JsonInput
{
    public static JsonDocument Parse(string content, string source, string expected, int firstLine = 1)
    {
        var trimmed = content.AsSpan().TrimStart();
        if (trimmed.IsEmpty)
            throw new ConnectorFormatException(source, firstLine, null, $"empty input where {expected} JSON was expected");
        if (trimmed[0] == '<')
        {
            var isHtml = trimmed.Length > 1 && (trimmed[1] == '!' || char.IsLetter(trimmed[1]));
            throw new ConnectorFormatException(source, firstLine, 1,
                isHtml ? $"expected {expected} JSON but got an HTML/XML page" : $"expected {expected} JSON but the content starts with '<'");
        }

        try
        {
            return JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + firstLine;
            var position = (int)(ex.BytePositionInLine ?? 0) + 1;
            throw new ConnectorFormatException(source, line, position, $"malformed {expected} JSON: {FirstSentence(ex.Message)}", ex);
        }
    }

    /// <summary>1-based line on which each element of the top-level array starts.</summary>
    public static IReadOnlyList<int> TopLevelItemLines(string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        var lines = new List<int>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var line = 1;
        var counted = 0;
        while (reader.Read())
        {
            var isItemStart = reader.CurrentDepth == 1 && reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray);
            if (!isItemStart)
                continue;
            var start = (int)reader.TokenStartIndex;
            for (; counted < start; counted++)
            {
                if (bytes[counted] == (byte)'\n')
                    line++;
            }

            lines.Add(line);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                reader.Skip();
        }

        return lines;
    }

    public static string? String(JsonElement obj, params string[] names)
    {
        foreach (var name in names)
        {
            if (!obj.TryGetProperty(name, out var value))
                continue;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return value.GetString();
                case JsonValueKind.Number:
                    return value.GetRawText();
            }
        }

        return null;
    }

    public static int? Int(JsonElement obj, params string[] names)
    {
        foreach (var name in names)
        {
            if (!obj.TryGetProperty(name, out var value))
                continue;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n))
                return n;
            if (value.ValueKind == JsonValueKind.String &&
                int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n))
                return n;
        }

        return null;
    }

    public static JsonElement? Property(JsonElement obj, params string[] names)
    {
        foreach (var name in names)
        {
            if (obj.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                return value;
        }

        return null;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
