namespace Papers.Api.Web;

/// <summary>
/// The one-page web client: <c>/</c> (markup), <c>/app.js</c> and <c>/app.css</c>, served from
/// resources of this assembly. No inline script or style, so the Content-Security-Policy can
/// forbid both.
/// </summary>
public static class WebPage
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/app.css", "app.css", "text/css; charset=utf-8"),
    ];

    public static IEndpointRouteBuilder MapWebPage(this IEndpointRouteBuilder app)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            var content = Read(resource);
            app.MapGet(path, () => TypedResults.Content(content, contentType)).ExcludeFromDescription();
        }
        return app;
    }

    private static string Read(string resource)
    {
        using var stream = typeof(WebPage).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The web page resource {resource} is missing from the Api assembly.");
        return new StreamReader(stream).ReadToEnd();
    }
}
