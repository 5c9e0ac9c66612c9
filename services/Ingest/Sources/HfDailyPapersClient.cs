using System.Globalization;
using Microsoft.Extensions.Options;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Sources;

/// <summary>
/// Imports the Hugging Face curated list of one day from the configured <c>/api/daily_papers</c>
/// endpoint, page by page (<c>p</c>, <c>limit</c>) until a short or empty page. Rate limiting
/// (429 with Retry-After) is left to the standard resilience handler.
/// </summary>
public sealed class HfDailyPapersClient(HttpClient http, IOptions<HfDailyOptions> options)
{
    private readonly HfDailyOptions _options = options.Value;

    public Uri BuildUri(DateOnly date, int page) =>
        new UriBuilder(_options.BaseUrl)
        {
            Query = string.Create(CultureInfo.InvariantCulture,
                $"date={date:yyyy-MM-dd}&p={page}&limit={_options.PageSize}"),
        }.Uri;

    public async Task<ParseResult> GetDailyAsync(DateOnly date, CancellationToken ct)
    {
        var papers = new List<SourcePaper>();
        var problems = new List<ParseProblem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // A cap on pages guards against a server that ignores p and repeats the first page.
        for (var page = 0; page < 100; page++)
        {
            var uri = BuildUri(date, page);
            var label = $"{HfDailyPapersParser.SourceLabel} {uri}";
            var reply = await ConnectorHttp.GetAsync(http, uri, label, ct);
            if (!reply.IsSuccess)
                throw ConnectorHttp.Unusable(label, reply);

            var result = HfDailyPapersParser.Parse(reply.Body, label);
            problems.AddRange(result.Problems);
            var fresh = result.Papers.Where(p => seen.Add(p.ArxivId!)).ToList();
            // Items without their own listing stamp belong to the day asked for.
            papers.AddRange(fresh.Select(p => p with { ListedOn = p.ListedOn ?? date }));
            var count = result.Papers.Count + result.Problems.Count;
            if (count < _options.PageSize || fresh.Count == 0)
                break;
        }

        return new ParseResult(papers, problems);
    }
}
