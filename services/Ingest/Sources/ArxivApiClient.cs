using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Sources;

/// <summary>One arXiv query API request: a search query, an id list, or both (the API then
/// filters the ids by the query).</summary>
public sealed record ArxivQuery(
    string? SearchQuery,
    IReadOnlyList<string>? IdList = null,
    int Start = 0,
    int MaxResults = 100,
    string? SortBy = null,
    string? SortOrder = null);

/// <summary>
/// Queries the arXiv API (Atom) at the configured endpoint, at most one request per
/// <see cref="ArxivApiOptions.MinDelay"/>; pages with start/max_results. The API's Error entry
/// (a bad id, a bad query) surfaces as <see cref="ArxivApiException"/> with its message.
/// </summary>
public sealed class ArxivApiClient(HttpClient http, IOptions<ArxivApiOptions> options, PolitenessGate gate)
{
    private readonly ArxivApiOptions _options = options.Value;

    /// <summary>Whether <c>Sources:ArxivApi:BaseUrl</c> is set; without it nothing can be fetched.</summary>
    public bool IsConfigured => _options.BaseUrl is not null;

    public Uri BuildUri(ArxivQuery query)
    {
        var baseUrl = _options.BaseUrl ?? throw new InvalidOperationException(
            $"{ArxivApiOptions.Section}:BaseUrl is not configured, so the arXiv API cannot be queried.");
        var parts = new List<string>
        {
            "search_query=" + Uri.EscapeDataString(query.SearchQuery ?? string.Empty),
            "id_list=" + Uri.EscapeDataString(string.Join(',', query.IdList ?? [])),
            "start=" + query.Start.ToString(CultureInfo.InvariantCulture),
            "max_results=" + query.MaxResults.ToString(CultureInfo.InvariantCulture),
        };
        if (query.SortBy is not null)
            parts.Add("sortBy=" + Uri.EscapeDataString(query.SortBy));
        if (query.SortOrder is not null)
            parts.Add("sortOrder=" + Uri.EscapeDataString(query.SortOrder));
        return new UriBuilder(baseUrl) { Query = string.Join('&', parts) }.Uri;
    }

    /// <summary>Fetches one page.</summary>
    public async Task<ArxivAtomPage> QueryAsync(ArxivQuery query, CancellationToken ct)
    {
        var uri = BuildUri(query);
        var label = $"{ArxivAtomParser.SourceLabel} {uri}";
        HttpReply reply;
        using (await gate.WaitTurnAsync(uri, _options.MinDelay, ct))
            reply = await ConnectorHttp.GetAsync(http, uri, label, ct);
        // A bad id or query comes back as 400 with an Atom feed holding the Error entry; parsing
        // it turns that into an ArxivApiException with the API's own message.
        if (reply.IsSuccess || reply.Body.Contains("<feed", StringComparison.Ordinal))
        {
            var page = ArxivAtomParser.Parse(reply.Body, label);
            if (reply.IsSuccess)
                return page;
        }

        throw ConnectorHttp.Unusable(label, reply);
    }

    /// <summary>All results of a search, page by page, up to <paramref name="limit"/>.</summary>
    public async IAsyncEnumerable<SourcePaper> SearchAsync(
        string searchQuery,
        int? limit = null,
        string? sortBy = null,
        string? sortOrder = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var start = 0;
        var emptyRetries = 0;
        while (limit is null || start < limit)
        {
            var size = limit is { } l ? Math.Min(_options.PageSize, l - start) : _options.PageSize;
            var page = await QueryAsync(new ArxivQuery(searchQuery, null, start, size, sortBy, sortOrder), ct);
            var total = page.TotalResults ?? 0;
            if (page.Papers.Count == 0)
            {
                // The API sometimes answers a page inside the result set with no entries; asking
                // again usually works. Past the end, an empty page is simply the end.
                if (start < total && emptyRetries++ < _options.EmptyPageRetries)
                    continue;
                if (start < total)
                    throw new ArxivApiException($"{ArxivAtomParser.SourceLabel} {BuildUri(new ArxivQuery(searchQuery, null, start, size))}",
                        null, $"empty page at start={start} although totalResults={total}", null);
                yield break;
            }

            emptyRetries = 0;
            foreach (var paper in page.Papers)
                yield return paper;
            start += page.Papers.Count;
            if (start >= total)
                yield break;
        }
    }

    /// <summary>The papers with these ids (any accepted form, versions allowed), in chunks of one page.</summary>
    public async Task<IReadOnlyList<SourcePaper>> GetByIdsAsync(IEnumerable<string> ids, CancellationToken ct)
    {
        var papers = new List<SourcePaper>();
        foreach (var chunk in ids.Distinct().Chunk(_options.PageSize))
        {
            var page = await QueryAsync(new ArxivQuery(null, chunk, 0, chunk.Length), ct);
            papers.AddRange(page.Papers);
        }

        return papers;
    }
}
