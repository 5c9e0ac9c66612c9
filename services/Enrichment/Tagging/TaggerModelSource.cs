using System.Net;

namespace Papers.Enrichment.Tagging;

/// <summary>A tagger model Training promoted, and its id in Training's registry (as <c>TaggerModelPromoted.ModelId</c> names it).</summary>
public sealed record PromotedTaggerModel(Guid Id, TaggerModel Model)
{
    /// <summary>The response header Training names the model's id in, beside the model itself.</summary>
    public const string IdHeader = "Papers-Tagger-Model-Id";
}

/// <summary>Where Enrichment gets the tagger model Training promoted.</summary>
public interface ITaggerModelSource
{
    /// <summary>
    /// The model promoted for <paramref name="embeddingModel"/>; null when none is (tag with the
    /// built-in one). Throws when the source can't be reached.
    /// </summary>
    Task<PromotedTaggerModel?> FetchAsync(string embeddingModel, CancellationToken cancellationToken);
}

/// <summary>No Training service configured (<c>Services:Training</c> unset): the built-in model only.</summary>
internal sealed class NoTaggerModelSource : ITaggerModelSource
{
    public Task<PromotedTaggerModel?> FetchAsync(string embeddingModel, CancellationToken cancellationToken) => Task.FromResult<PromotedTaggerModel?>(null);
}

/// <summary>
/// Training's <c>GET /api/training/models/current?embeddingModel=…</c> (404: none promoted for
/// that model); the model's registry id comes in the <see cref="PromotedTaggerModel.IdHeader"/> header.
/// </summary>
internal sealed class HttpTaggerModelSource(HttpClient http) : ITaggerModelSource
{
    public async Task<PromotedTaggerModel?> FetchAsync(string embeddingModel, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"api/training/models/current?embeddingModel={Uri.EscapeDataString(embeddingModel)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        if (!response.Headers.TryGetValues(PromotedTaggerModel.IdHeader, out var values) || !Guid.TryParse(values.FirstOrDefault(), out var id))
            throw new InvalidOperationException($"Training's promoted model came without a valid {PromotedTaggerModel.IdHeader} header, so tags made with it could not name it.");
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new PromotedTaggerModel(id, TaggerModel.Load(stream));
    }
}
