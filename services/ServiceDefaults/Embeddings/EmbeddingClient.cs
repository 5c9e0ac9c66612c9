using System.Net.Http.Json;
using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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

public static class EmbeddingClientExtensions
{
    /// <summary>
    /// Lets a service embed query texts through Enrichment, unless this host runs Enrichment
    /// itself (it then replaces this with the model). Through the Dapr sidecar when one exists
    /// (<c>DAPR_HTTP_PORT</c> set; app id <c>enrichment</c>), else at <c>Services:Enrichment</c>.
    /// </summary>
    public static IHostApplicationBuilder AddTextEmbedderClient(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(ITextEmbedder)))
            return builder;
        var useDapr = !string.IsNullOrEmpty(builder.Configuration["DAPR_HTTP_PORT"]);
        var baseUrl = builder.Configuration["Services:Enrichment"] ?? "http://localhost:5102";
        if (useDapr)
            builder.Services.TryAddSingleton<ITextEmbedder>(_ => new HttpTextEmbedder(DaprClient.CreateInvokeHttpClient("enrichment")));
        else
            builder.Services.AddHttpClient<ITextEmbedder, HttpTextEmbedder>(c => c.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"));
        return builder;
    }
}
