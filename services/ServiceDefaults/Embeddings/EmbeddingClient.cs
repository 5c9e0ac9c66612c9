using System.Net.Http.Json;
using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Papers.ServiceDefaults.Embeddings;

/// <summary>Request and response of Enrichment's <c>POST /embed</c>.</summary>
public record EmbedRequest(IReadOnlyList<string> Texts);

public record EmbedResponse(string Model, float[][] Vectors);

/// <summary>Calls Enrichment's <c>POST /embed</c>.</summary>
public sealed class HttpTextEmbedder(HttpClient http) : ITextEmbedder
{
    private string? _modelId;

    public string ModelId => _modelId ?? "unknown (no embedding requested yet)";

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("embed", new EmbedRequest(texts), cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<EmbedResponse>(cancellationToken)
            ?? throw new InvalidOperationException("Enrichment answered /embed with an empty body.");
        _modelId = body.Model;
        return body.Vectors;
    }
}

public static class TextEmbedderExtensions
{
    /// <summary>
    /// The one place a host's <see cref="ITextEmbedder"/> is chosen: exactly one per host, either
    /// the model itself (the host runs Enrichment, which calls this with its model) or
    /// <see cref="AddEnrichmentClient"/> (a host that calls Enrichment). A second registration
    /// fails at once, so two files can never disagree on which one wins.
    /// </summary>
    /// <param name="source">Says where the vectors come from, for the error a second registration raises.</param>
    /// <param name="register">Registers the <see cref="ITextEmbedder"/>.</param>
    public static IHostApplicationBuilder AddTextEmbedder(this IHostApplicationBuilder builder, string source, Action<IServiceCollection> register)
    {
        if (builder.Services.FirstOrDefault(d => d.ServiceType == typeof(TextEmbedderSource)) is { ImplementationInstance: TextEmbedderSource existing })
            throw new InvalidOperationException($"This host already embeds texts with {existing.Source}; it cannot also use {source}.");
        builder.Services.AddSingleton(new TextEmbedderSource(source));
        register(builder.Services);
        return builder;
    }

    /// <summary>
    /// Embeds query texts through Enrichment's <c>POST /embed</c>: through the Dapr sidecar when
    /// one exists (<c>DAPR_HTTP_PORT</c> set; app id <c>enrichment</c>), else at
    /// <c>Services:Enrichment</c>. For the hosts of services that embed queries (Api, Notifications)
    /// but don't run the model.
    /// </summary>
    public static IHostApplicationBuilder AddEnrichmentClient(this IHostApplicationBuilder builder)
    {
        if (!string.IsNullOrEmpty(builder.Configuration["DAPR_HTTP_PORT"]))
        {
            return builder.AddTextEmbedder("Enrichment through the Dapr sidecar",
                services => services.AddSingleton<ITextEmbedder>(_ => new HttpTextEmbedder(DaprClient.CreateInvokeHttpClient("enrichment"))));
        }
        var baseUrl = builder.Configuration["Services:Enrichment"] ?? "http://localhost:5102";
        return builder.AddTextEmbedder($"Enrichment at {baseUrl}",
            services => services.AddHttpClient<ITextEmbedder, HttpTextEmbedder>(c => c.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/")));
    }

    private sealed record TextEmbedderSource(string Source);
}
