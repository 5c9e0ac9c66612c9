namespace Papers.Api.Web;

/// <summary>The one-page web client at <c>/</c>: daily list, search, upvotes, similar papers, subscribe.</summary>
public static class WebPage
{
    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = typeof(WebPage).Assembly.GetManifestResourceStream("index.html")
            ?? throw new InvalidOperationException("The web page resource is missing from the Api assembly.");
        return new StreamReader(stream).ReadToEnd();
    });

    public static IEndpointRouteBuilder MapWebPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => TypedResults.Content(Html.Value, "text/html; charset=utf-8")).ExcludeFromDescription();
        return app;
    }
}
