using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Papers.Api.Web;

/// <summary>
/// A read's response with validators: a strong <c>ETag</c> (a hash of the bytes), <c>Cache-Control:
/// public, max-age</c>, and <c>304 Not Modified</c> when the client's <c>If-None-Match</c> matches.
/// Feeds and <c>/v1</c> reads answer with it.
/// </summary>
public sealed class CachedResult(byte[] body, string contentType, TimeSpan maxAge, int statusCode = StatusCodes.Status200OK) : IResult
{
    public string ETag { get; } = $"\"{Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16))}\"";

    public Task ExecuteAsync(HttpContext http)
    {
        var response = http.Response;
        response.Headers.ETag = ETag;
        response.Headers.CacheControl = $"public, max-age={(int)maxAge.TotalSeconds}";
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        if (statusCode == StatusCodes.Status200OK && NoneMatch(http.Request.Headers.IfNoneMatch))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.StatusCode = statusCode;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }

    private bool NoneMatch(Microsoft.Extensions.Primitives.StringValues header)
    {
        foreach (var value in header)
            foreach (var tag in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (tag == "*" || tag == ETag || tag == "W/" + ETag)
                    return true;
        return false;
    }
}
