using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace Papers.ServiceDefaults.OpenApi;

/// <summary>
/// One place that describes every host's endpoints: each host serves <c>/openapi/v1.json</c> for
/// what it maps (the all-in-one host, for all four services), with the API-key scheme. The Api's
/// public document adds the other public services' documents to its own (<c>OpenApi:Include</c>).
/// </summary>
public static class OpenApiDefaults
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";

    public static IHostApplicationBuilder AddOpenApiDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (Authorization: Bearer pk_...). Reading needs none; a key raises rate limits, and its scopes (vote, submit, admin; library: the Notifications service's) allow changes.",
            };
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapOpenApiDocument(this WebApplication app)
    {
        app.MapOpenApi();
        return app;
    }
}
