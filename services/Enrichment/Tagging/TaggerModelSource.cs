using System.Net;

namespace Papers.Enrichment.Tagging;

/// <summary>Where Enrichment gets the tagger model Training promoted.</summary>
public interface ITaggerModelSource
{
    /// <summary>
    /// The model promoted for <paramref name="embeddingModel"/>; null when none is (tag with the
    /// built-in one). Throws when the source can't be reached.
    /// </summary>
    Task<TaggerModel?> FetchAsync(string embeddingModel, CancellationToken cancellationToken);
}

/// <summary>No Training service configured (<c>Services:Training</c> unset): the built-in model only.</summary>
internal sealed class NoTaggerModelSource : ITaggerModelSource
{
    public Task<TaggerModel?> FetchAsync(string embeddingModel, CancellationToken cancellationToken) => Task.FromResult<TaggerModel?>(null);
}

/// <summary>Training's <c>GET /api/training/models/current?embeddingModel=…</c> (404: none promoted for that model).</summary>
internal sealed class HttpTaggerModelSource(HttpClient http) : ITaggerModelSource
{
    public async Task<TaggerModel?> FetchAsync(string embeddingModel, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"api/training/models/current?embeddingModel={Uri.EscapeDataString(embeddingModel)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return TaggerModel.Load(stream);
    }
}
