using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Papers.ServiceDefaults.OpenApi;
using Papers.ServiceDefaults.Security;
using Scalar.AspNetCore;

namespace Papers.Api.Apis;

/// <summary>Section <c>OpenApi</c>: documents of other public services to include in the Api's (their <c>/openapi/v1.json</c> URLs).</summary>
public sealed class PublicApiOptions
{
    public const string Section = "OpenApi";

    /// <summary>In a cluster, Notifications' document (the chart sets it); empty in the all-in-one host, which describes everything itself.</summary>
    public List<string> Include { get; set; } = [];
}

/// <summary>
/// The one OpenAPI document of the public surface, <c>/openapi/v1.json</c>: the Api's endpoints
/// (the Hugging Face-compatible <c>/api</c>, <c>/v1</c>, votes, submissions, admin) described here,
/// plus, in a cluster, the endpoints of the other public services (subscriptions) read from their
/// own documents and merged in; and Scalar's files for the interactive reference (<c>/reference</c>, a page of ours).
/// </summary>
public static class PublicApiDocument
{
    public const string Description = """
        The public API of Papers: the daily feed of research papers with upvotes, hybrid search, topic tags, similar papers and digests.

        * **/api/...** answers as the Hugging Face Daily Papers API does (same paths, parameters and item shape: existing clients work).
        * **/v1/...** is our versioned API: cursor paging everywhere (`nextCursor`), filters by publication date (`from`, `to`), `category`, `topic` and `author`, `fields=` selection, batch lookup of up to 500 ids, similar papers, topics. Reads carry an `ETag` (send `If-None-Match` for a `304`) and `Cache-Control`.
        * **Feeds**: every page of the site is also RSS 2.0 and Atom: add `format=rss` or `format=atom` (`/`, `/date/2025-01-15`, `/topics/cs.CL`, `/authors/{name}`, `/search?q=...`).

        **Errors** are RFC 9457 problem details (`application/problem+json`) with a stable `code`: `invalid_parameter` (with `errors` per parameter), `invalid_cursor`, `unknown_field`, `not_found`, `unauthorized`, `forbidden`, `payload_too_large`, `unsupported_media_type`, `rate_limited`, `internal_error`.

        **Rate limits**: every response says `RateLimit-Policy` and `RateLimit`; a spent limit answers `429` with `Retry-After`. Anonymous callers are limited per address; an API key (`Authorization: Bearer pk_...`) raises the limits.

        **Trending** ranks by upvotes with time decay: `upvotes / (hours since the paper was listed + 2)^1.8`, judged at the end of the listing's last day (or now).
        """;

    public static IHostApplicationBuilder AddPublicApiDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<OpenApiOptions>(OpenApiDefaults.DocumentName, o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo { Title = "Papers API", Version = "v1", Description = Description };
            return Task.CompletedTask;
        }));
        builder.Services.AddOptions<PublicApiOptions>().BindConfiguration(PublicApiOptions.Section);
        return builder;
    }

    public static WebApplication MapPublicApiDocument(this WebApplication app)
    {
        app.UseMiddleware<IncludeDocumentsMiddleware>();
        // Scalar's files (and its own page, with a per-request nonce) under /reference/scalar; the
        // reference itself is our page at /reference, which starts the viewer from a static file.
        app.MapScalarApiReference("/reference/scalar", o => o
                .WithTitle("Papers API reference")
                .WithOpenApiRoutePattern(OpenApiDefaults.DocumentPath)
                .DisableTelemetry().DisableAgent().DisableMcp().DisableDefaultFonts().HideDeveloperTools()
                .WithNonce())
            .WithMetadata(new ContentSecurityPolicy(InlineStyles: true, NonceItem: ScalarOptions.NonceHttpContextItemKey))
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>Adds the paths, components and tags of <paramref name="other"/> that <paramref name="document"/> lacks.</summary>
    public static void Merge(JsonObject document, JsonObject other)
    {
        if (other["paths"] is JsonObject paths)
        {
            var mine = document["paths"] as JsonObject ?? (JsonObject)(document["paths"] = new JsonObject());
            foreach (var (path, item) in paths)
            {
                if (item is not JsonObject operations)
                    continue;
                if (mine[path] is not JsonObject existing)
                    mine[path] = operations.DeepClone();
                else
                    foreach (var (method, operation) in operations.Where(o => !existing.ContainsKey(o.Key)).ToList())
                        existing[method] = operation?.DeepClone();
            }
        }
        if (other["components"] is JsonObject components)
        {
            var mine = document["components"] as JsonObject ?? (JsonObject)(document["components"] = new JsonObject());
            foreach (var (kind, entries) in components)
            {
                if (entries is not JsonObject named)
                    continue;
                var target = mine[kind] as JsonObject ?? (JsonObject)(mine[kind] = new JsonObject());
                foreach (var (name, value) in named.Where(e => !target.ContainsKey(e.Key)).ToList())
                    target[name] = value?.DeepClone();
            }
        }
        if (other["tags"] is JsonArray tags)
        {
            var mine = document["tags"] as JsonArray ?? (JsonArray)(document["tags"] = new JsonArray());
            var known = mine.Select(t => (string?)t?["name"]).ToHashSet();
            foreach (var tag in tags.Where(t => !known.Contains((string?)t?["name"])))
                mine.Add(tag?.DeepClone());
        }
    }

    /// <summary>
    /// Rewrites <c>/openapi/v1.json</c> as the endpoint wrote it, merged with the documents of
    /// <see cref="PublicApiOptions.Include"/> (fetched at most once a minute; one that cannot be
    /// fetched is left out and logged, the rest is served).
    /// </summary>
    private sealed class IncludeDocumentsMiddleware(RequestDelegate next, IOptions<PublicApiOptions> options, IMemoryCache cache, ILogger<PublicApiOptions> logger)
    {
        private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

        // One try, briefly (no retrying handler): a service that is down is left out of the document, not waited for.
        private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(5) };

        public async Task InvokeAsync(HttpContext http)
        {
            if (options.Value.Include.Count == 0 || !http.Request.Path.Equals(OpenApiDefaults.DocumentPath, StringComparison.OrdinalIgnoreCase))
            {
                await next(http);
                return;
            }
            var original = http.Response.Body;
            using var buffer = new MemoryStream();
            http.Response.Body = buffer;
            try
            {
                await next(http);
            }
            finally
            {
                http.Response.Body = original;
            }
            if (http.Response.StatusCode != StatusCodes.Status200OK)
            {
                buffer.Position = 0;
                await buffer.CopyToAsync(original, http.RequestAborted);
                return;
            }
            var document = JsonNode.Parse(buffer.ToArray())!.AsObject();
            foreach (var url in options.Value.Include)
                if (await FetchAsync(url, http.RequestAborted) is { } other)
                    Merge(document, other);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(document, Indented);
            http.Response.ContentLength = bytes.Length;
            await original.WriteAsync(bytes, http.RequestAborted);
        }

        private async Task<JsonObject?> FetchAsync(string url, CancellationToken cancellationToken)
        {
            if (cache.TryGetValue((nameof(PublicApiDocument), url), out JsonObject? cached))
                return cached;
            JsonObject? document = null;
            try
            {
                document = JsonNode.Parse(await Client.GetStringAsync(url, cancellationToken))?.AsObject();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "The OpenAPI document at {Url} could not be read; the public document is served without it", url);
            }
            cache.Set((nameof(PublicApiDocument), url), document, TimeSpan.FromMinutes(document is null ? 0.25 : 1));
            return document;
        }
    }
}
