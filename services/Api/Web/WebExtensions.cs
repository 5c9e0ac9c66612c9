using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.StaticAssets.Infrastructure;
using Papers.Api.Browse;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Web;

/// <summary>
/// The web: server-rendered pages (Razor components, no script needed), their feeds, and static
/// files through the framework's static asset pipeline (fingerprinted, compressed, cacheable).
/// </summary>
public static class WebExtensions
{
    public static IHostApplicationBuilder AddWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        // Pages are UTF-8: text outside ASCII is written as itself (markup characters are still escaped).
        builder.Services.AddWebEncoders(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        builder.Services.AddSingleton<FacetIndex>();
        builder.Services.AddSingleton<FacetHydrator>();
        builder.Services.AddHostedService(s => s.GetRequiredService<FacetHydrator>());
        // Pages and /v1 filter through the facet index: a new replica is ready once it is loaded, as the search index.
        builder.Services.AddHealthChecks().AddCheck<FacetIndexReadiness>("facet-index");
        builder.Services.AddSingleton<PaperSearch>();
        builder.Services.AddHostedService<SimilarPapersFinder>();
        // Run from a build (dotnet run), static files are read where they lie, through the build's
        // manifest; a published app has them in its own wwwroot and no such manifest.
        if (builder is WebApplicationBuilder web)
            web.WebHost.UseStaticWebAssets();
        return builder;
    }

    public static WebApplication MapWeb(this WebApplication app)
    {
        app.MapStaticAssets();
        var pages = app.MapGroup("").ExcludeFromDescription().WithMetadata(Assets(app));
        pages.MapListingPages();
        pages.MapPaperPages();
        pages.MapSearchPages();
        pages.MapLibraryPages();
        pages.MapAccountPages();
        // The API reference: no user content, and Scalar's viewer injects its styles.
        pages.MapGet("/reference", () => WebContext.Page<Pages.ReferencePage>())
            .WithMetadata(new ContentSecurityPolicy(InlineStyles: true));
        return app;
    }

    /// <summary>
    /// The fingerprinted URLs of the static files (<c>static/app.css</c> → <c>/static/app.abc123.css</c>),
    /// as endpoint metadata: pages write them with <c>@Assets["static/app.css"]</c>.
    /// </summary>
    private static ResourceAssetCollection Assets(IEndpointRouteBuilder endpoints) =>
        new([.. StaticAssetsEndpointDataSourceHelper.ResolveStaticAssetDescriptors(endpoints, null)
            .Where(d => d.Selectors.Count == 0)
            .Select(d => new ResourceAsset(d.Route, [.. d.Properties.Select(p => new ResourceAssetProperty(p.Name, p.Value))]))]);
}
