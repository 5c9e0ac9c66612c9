using System.Net;
using System.Net.Http.Headers;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Sources;

/// <summary>One HTTP exchange as the connectors need it: status, body and Retry-After.</summary>
internal sealed record HttpReply(HttpStatusCode Status, string Body, RetryConditionHeaderValue? RetryAfter)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}

/// <summary>
/// GETs for the connectors. Redirects are refused rather than followed (the primary handler does
/// not follow them), so a connector only ever talks to the host in its configuration.
/// </summary>
internal static class ConnectorHttp
{
    public static async Task<HttpReply> GetAsync(HttpClient http, Uri uri, string label, CancellationToken ct)
    {
        using var response = await http.GetAsync(uri, ct);
        if ((int)response.StatusCode is >= 300 and < 400)
        {
            throw new ConnectorHttpException(label, response.StatusCode,
                $"HTTP {(int)response.StatusCode} redirect to '{response.Headers.Location}' refused: " +
                $"connectors call only the configured host '{uri.Authority}'; fix the BaseUrl instead");
        }

        var body = await response.Content.ReadAsStringAsync(ct);
        return new HttpReply(response.StatusCode, body, response.Headers.RetryAfter);
    }

    public static ConnectorHttpException Unusable(string label, HttpReply reply)
    {
        var preview = TextNormalizer.Normalize(reply.Body);
        if (preview.Length > 200)
            preview = preview[..200] + "...";
        return new ConnectorHttpException(label, reply.Status,
            $"HTTP {(int)reply.Status} {reply.Status}" + (preview.Length > 0 ? $": {preview}" : string.Empty));
    }

    /// <summary>The wait a Retry-After asks for (seconds or an HTTP date), within [0, max].</summary>
    public static TimeSpan RetryDelay(RetryConditionHeaderValue? retryAfter, TimeProvider time, TimeSpan fallback, TimeSpan max)
    {
        var wait = retryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => fallback,
        };
        if (wait < TimeSpan.Zero)
            wait = TimeSpan.Zero;
        return wait > max ? max : wait;
    }
}

/// <summary>A source answered with an HTTP status the connector cannot use (after its own retries),
/// or redirected to a host that is not configured.</summary>
public sealed class ConnectorHttpException(string sourceName, HttpStatusCode status, string detail)
    : ConnectorException(sourceName, null, null, detail)
{
    public HttpStatusCode Status { get; } = status;
}
