using System.Net;
using System.Net.Http.Json;
using System.Numerics.Tensors;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Enrichment.Apis;
using Papers.Enrichment.Embeddings;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Security;

namespace Papers.Enrichment.Tests;

/// <summary>
/// The HTTP embedding client (Api, Notifications, Training in a cluster) carries the role to
/// Enrichment's real <c>POST /embed</c>, served in-process over Kestrel by arctic-embed-xs, a
/// model that prefixes queries and not papers: a paper embedded over HTTP gets the paper's vector.
/// </summary>
[Collection(ModelCollection.Name)]
public sealed class EmbedRoleTests : IAsyncLifetime
{
    private const string Paper = "We model the assembly of dwarf galaxies in cosmological simulations and compare their star formation histories with observations.";

    private readonly OnnxEmbedder _arctic = new(Microsoft.Extensions.Options.Options.Create(
        new EmbeddingOptions { ExecutionProvider = ExecutionProvider.Cpu, Model = PackagedModel.ArcticXs }), NullLogger<OnnxEmbedder>.Instance);
    private WebApplication _enrichment = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<ITextEmbedder>(_arctic);
        builder.Services.AddSingleton(new RateLimiters(Microsoft.Extensions.Options.Options.Create(new RateLimitOptions { Enabled = false })));
        _enrichment = builder.Build();
        _enrichment.MapEmbedApi();
        await _enrichment.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_enrichment.Urls.First() + "/") };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _enrichment.DisposeAsync();
        _arctic.Dispose();
    }

    [Fact]
    public async Task A_paper_embedded_over_http_gets_the_document_vector_and_a_query_the_prefixed_one()
    {
        ITextEmbedder client = new HttpTextEmbedder(_http); // as Training and the Api hold it

        var asDocument = (await client.EmbedAsync([Paper], EmbeddingRole.Document, CancellationToken.None))[0];
        var asQuery = (await client.EmbedAsync([Paper], EmbeddingRole.Query, CancellationToken.None))[0];
        var plain = (await client.EmbedAsync([Paper], CancellationToken.None))[0];

        Assert.Equal(_arctic.ModelId, client.ModelId);
        Assert.InRange(TensorPrimitives.Dot(asDocument, _arctic.Embed([Paper], EmbeddingRole.Document)[0]), 0.9999f, 1.0001f);
        Assert.InRange(TensorPrimitives.Dot(asQuery, _arctic.Embed([Paper], EmbeddingRole.Query)[0]), 0.9999f, 1.0001f);
        Assert.InRange(TensorPrimitives.Dot(asDocument, asQuery), -1f, 0.99f);
        Assert.InRange(TensorPrimitives.Dot(plain, asQuery), 0.9999f, 1.0001f);
    }

    [Fact]
    public async Task A_request_without_a_role_embeds_queries_as_before_and_an_unknown_role_is_refused_naming_it()
    {
        using var old = await _http.PostAsJsonAsync("embed", new { texts = new[] { Paper } });
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        var vector = (await old.Content.ReadFromJsonAsync<EmbedResponse>())!.Vectors[0];
        Assert.InRange(TensorPrimitives.Dot(vector, _arctic.Embed([Paper], EmbeddingRole.Query)[0]), 0.9999f, 1.0001f);

        using var bad = await _http.PostAsJsonAsync("embed", new { texts = new[] { Paper }, role = "passage" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("'passage'", problem.GetProperty("errors").GetProperty("role")[0].GetString());
    }
}
