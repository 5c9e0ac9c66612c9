using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Sources;

/// <summary>What to list: a fresh harvest (prefix, set, from) or the next page of one (token).</summary>
public sealed record OaiListRequest(string MetadataPrefix, string? Set, DateOnly? From, string? ResumptionToken = null, DateOnly? Until = null);

/// <summary>A fetched page and how many 503 answers were waited out to get it.</summary>
public sealed record OaiFetch(OaiPmhPage Page, int Throttled, Uri RequestUri);

/// <summary>
/// Fetches OAI-PMH ListRecords pages from the configured endpoint, at most one request per
/// <see cref="OaiSourceOptions.MinDelay"/>. Each source kind has its own typed client
/// (<see cref="ArxivOaiClient"/>, <see cref="OaiDcClient"/>) with its own options. arXiv answers 503 with Retry-After as flow control;
/// those waits are done here (the resilience handler is told to leave 503 alone), so the harvest
/// knows it is being throttled rather than failing.
/// </summary>
public class OaiPmhClient(
    HttpClient http,
    IOptions<OaiSourceOptions> options,
    PolitenessGate gate,
    TimeProvider time,
    ILogger<OaiPmhClient> logger)
{
    private readonly OaiSourceOptions _options = options.Value;

    public Uri BuildUri(OaiListRequest request)
    {
        // With a token, OAI-PMH allows no other argument besides the verb.
        var query = request.ResumptionToken is { Length: > 0 } token
            ? $"verb=ListRecords&resumptionToken={Uri.EscapeDataString(token)}"
            : "verb=ListRecords&metadataPrefix=" + Uri.EscapeDataString(request.MetadataPrefix) +
              (request.From is { } from ? "&from=" + from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty) +
              (request.Until is { } until ? "&until=" + until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty) +
              (string.IsNullOrWhiteSpace(request.Set) ? string.Empty : "&set=" + Uri.EscapeDataString(request.Set));
        var baseUrl = _options.BaseUrl ?? throw new InvalidOperationException($"{_options.SectionName}:BaseUrl is not configured.");
        return new UriBuilder(baseUrl) { Query = query }.Uri;
    }

    public async Task<OaiFetch> ListRecordsAsync(OaiListRequest request, CancellationToken ct)
    {
        var uri = BuildUri(request);
        var label = $"{OaiPmhParser.SourceLabel} {uri}";
        for (var throttled = 0; ; throttled++)
        {
            HttpReply reply;
            using (await gate.WaitTurnAsync(uri, _options.MinDelay, ct))
                reply = await ConnectorHttp.GetAsync(http, uri, label, ct);
            if (reply.Status == HttpStatusCode.ServiceUnavailable)
            {
                if (throttled >= _options.MaxThrottleRetries)
                {
                    throw new ConnectorHttpException(label, reply.Status,
                        $"still 503 Service Unavailable after waiting out {throttled} Retry-After answers");
                }

                var wait = ConnectorHttp.RetryDelay(reply.RetryAfter, time, _options.DefaultRetryAfter, _options.MaxRetryAfter);
                logger.LogInformation("OAI-PMH 503 from {Uri}; retrying after {Wait}", uri, wait);
                await gate.WaitOutAsync(uri, wait, ct);
                continue;
            }

            // OAI errors normally come with 200, but a 4xx carrying an OAI-PMH body is still
            // worth parsing: its <error code> says more than the status.
            if (reply.IsSuccess)
                return new OaiFetch(OaiPmhParser.Parse(reply.Body, label), throttled, uri);
            if (reply.Body.Contains("OAI-PMH", StringComparison.Ordinal) &&
                OaiPmhParser.Parse(reply.Body, label) is { NoRecordsMatch: true } empty)
                return new OaiFetch(empty, throttled, uri);

            throw ConnectorHttp.Unusable(label, reply);
        }
    }
}

/// <summary>The arXiv OAI-PMH endpoint (<c>Sources:ArxivOai</c>).</summary>
public sealed class ArxivOaiClient(HttpClient http, IOptions<ArxivOaiOptions> options, PolitenessGate gate, TimeProvider time, ILogger<OaiPmhClient> logger)
    : OaiPmhClient(http, options, gate, time, logger);

/// <summary>A Dublin Core repository's OAI-PMH endpoint (<c>Sources:OaiDc</c>).</summary>
public sealed class OaiDcClient(HttpClient http, IOptions<OaiDcOptions> options, PolitenessGate gate, TimeProvider time, ILogger<OaiPmhClient> logger)
    : OaiPmhClient(http, options, gate, time, logger);
