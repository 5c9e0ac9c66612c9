using System.Net.Http.Json;
using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Papers.ServiceDefaults.Embeddings;

/// <summary>Request and response of Enrichment's <c>POST /embed</c>.</summary>
/// <param name="Texts">The texts to embed.</param>
/// <param name="Role">
/// What the texts are to the model: <c>query</c> (the default: search text, pasted text, topics) or
/// <c>document</c> (papers, such as Training's base set); a prefixed model (arctic-embed) prefixes
/// them differently. Missing means query, as before roles existed.
/// </param>
public record EmbedRequest(IReadOnlyList<string> Texts, string? Role = null)
{
    /// <summary>The wire name of a role (<see cref="Role"/>).</summary>
    public static string WireName(EmbeddingRole role) => role == EmbeddingRole.Document ? "document" : "query";

    /// <summary>The role a wire name stands for (missing: query); null when it names none.</summary>
    public static EmbeddingRole? ParseRole(string? role) => role switch
    {
        null or "query" => EmbeddingRole.Query,
        "document" => EmbeddingRole.Document,
        _ => null,
    };
}

public record EmbedResponse(string Model, float[][] Vectors);

/// <summary>Calls Enrichment's <c>POST /embed</c>.</summary>
public sealed class HttpTextEmbedder(HttpClient http) : ITextEmbedder
{
    private string? _modelId;

    public string ModelId => _modelId ?? "unknown (no embedding requested yet)";

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        EmbedAsync(texts, EmbeddingRole.Query, cancellationToken);

    /// <summary>Embeds in a role: Enrichment gets it with the texts, so a prefixed model embeds papers as papers.</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingRole role, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("embed", new EmbedRequest(texts, EmbedRequest.WireName(role)), cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<EmbedResponse>(cancellationToken)
            ?? throw new InvalidOperationException("Enrichment answered /embed with an empty body.");
        _modelId = body.Model;
        return body.Vectors;
    }
}

/// <summary>How long one call to Enrichment's <c>/embed</c> may take, in all and per attempt, and how often it is retried.</summary>
public sealed record EmbedBudget(TimeSpan Total, TimeSpan Attempt, int Retries)
{
    /// <summary>
    /// A person is waiting (search): an Enrichment that is down fails at once (connection refused,
    /// or the open circuit), one that hangs within 2 s (two attempts of at most 1 s), and the caller
    /// answers without vectors instead.
    /// </summary>
    public static readonly EmbedBudget Interactive = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 1);

    /// <summary>Nobody waits (digest topics): the standard budget, 30 s in all, 10 s an attempt, 3 retries.</summary>
    public static readonly EmbedBudget Batch = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), 3);
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
    /// but don't run the model. <paramref name="budget"/> bounds each call: a caller with a person
    /// waiting (search) gives up within <see cref="EmbedBudget.Interactive"/> and answers without
    /// vectors; a batch (digests) may wait longer.
    /// </summary>
    public static IHostApplicationBuilder AddEnrichmentClient(this IHostApplicationBuilder builder, EmbedBudget budget)
    {
        if (!string.IsNullOrEmpty(builder.Configuration["DAPR_HTTP_PORT"]))
        {
            return builder.AddTextEmbedder("Enrichment through the Dapr sidecar", services => services.AddSingleton<ITextEmbedder>(_ =>
            {
                var client = DaprClient.CreateInvokeHttpClient("enrichment");
                client.Timeout = budget.Total;
                return new HttpTextEmbedder(client);
            }));
        }
        var baseUrl = builder.Configuration["Services:Enrichment"] ?? "http://localhost:5102";
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers, below
        return builder.AddTextEmbedder($"Enrichment at {baseUrl}", services => services
            .AddHttpClient<ITextEmbedder, HttpTextEmbedder>(c => c.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"))
            // Instead of the default handler every client gets (30 s in all, 3 retries). The removal
            // is the documented way to replace a default handler for one client; the package still
            // marks it experimental (EXTEXP0001).
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(o =>
            {
                o.TotalRequestTimeout.Timeout = budget.Total;
                o.AttemptTimeout.Timeout = budget.Attempt;
                o.Retry.MaxRetryAttempts = budget.Retries;
                o.Retry.Delay = TimeSpan.FromMilliseconds(100);
                // The breaker's window must be at least twice an attempt's timeout.
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, budget.Attempt.Ticks * 2));
            }));
#pragma warning restore EXTEXP0001
    }

    private sealed record TextEmbedderSource(string Source);
}
