using System.Text.Json;

namespace Papers.Ingest.Parsing;

/// <summary>
/// A saved HTTP exchange <c>{ "url", "status_code", "body" }</c>, the way test suites such as
/// arxiv.py record API responses. The dry run unwraps it so that a recording parses like the
/// raw response it holds.
/// </summary>
public sealed record RecordedExchange(string? Url, int StatusCode, string Body)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public static bool TryRead(string content, out RecordedExchange exchange)
    {
        exchange = null!;
        var trimmed = content.AsSpan().TrimStart();
        if (trimmed.IsEmpty || trimmed[0] != '{' || !content.Contains("\"body\"", StringComparison.Ordinal))
            return false;
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.String ||
                !root.TryGetProperty("status_code", out var status) || !status.TryGetInt32(out var code))
                return false;
            exchange = new RecordedExchange(JsonInput.String(root, "url"), code, body.GetString()!);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
