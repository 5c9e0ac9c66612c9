using Microsoft.Extensions.Options;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Sources;

/// <summary>
/// Reads arXiv's listing feed of the configured categories (<c>rss.arxiv.org/rss/cs.LG+cs.AI</c>):
/// one request for the day's new submissions, cross-lists and replacements. A day without
/// announcements (a weekend) is an empty feed, not an error.
/// </summary>
public sealed class ArxivListingFeedClient(HttpClient http, IOptions<ArxivFeedOptions> options, PolitenessGate gate)
{
    private readonly ArxivFeedOptions _options = options.Value;

    /// <summary>The cursor key of the configured feed: <c>arxiv-feed:cs.LG+cs.AI</c>.</summary>
    public string CursorKey => $"{ArxivListingFeedParser.SourceLabel}:{FeedName}";

    private string FeedName => string.Join('+', _options.Categories.Select(c => c.Trim()).Where(c => c.Length > 0));

    public Uri BuildUri()
    {
        var baseUrl = _options.BaseUrl ?? throw new InvalidOperationException($"{ArxivFeedOptions.Section}:BaseUrl is not configured.");
        if (FeedName.Length == 0)
            throw new InvalidOperationException($"{ArxivFeedOptions.Section}:Categories is empty: name the categories to follow.");
        var path = baseUrl.AbsolutePath.EndsWith('/') ? baseUrl.AbsolutePath : baseUrl.AbsolutePath + "/";
        return new UriBuilder(baseUrl) { Path = path + FeedName }.Uri;
    }

    public async Task<ArxivListingFeed> GetAsync(CancellationToken ct)
    {
        var uri = BuildUri();
        var label = $"{ArxivListingFeedParser.SourceLabel} {uri}";
        HttpReply reply;
        using (await gate.WaitTurnAsync(uri, _options.MinDelay, ct))
            reply = await ConnectorHttp.GetAsync(http, uri, label, ct);
        return reply.IsSuccess ? ArxivListingFeedParser.Parse(reply.Body, label) : throw ConnectorHttp.Unusable(label, reply);
    }
}
