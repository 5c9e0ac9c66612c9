using System.Net;
using Cronos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Papers.Ingest.Harvest;
using Polly;

// RemoveAllResilienceHandlers is marked experimental, but it is the documented way to replace the
// handler that ConfigureHttpClientDefaults (AddServiceDefaults) puts on every client.
#pragma warning disable EXTEXP0001

namespace Papers.Ingest.Sources;

public static class ConnectorsExtensions
{
    /// <summary>
    /// Registers the source connectors: options from <c>Sources:ArxivOai</c>, <c>Sources:ArxivApi</c>
    /// and <c>Sources:HfDaily</c>, typed HttpClients with the standard resilience handler, the
    /// shared politeness gate, and the OAI-PMH harvester. The harvester needs an
    /// <see cref="IHarvestCursorStore"/> and an <see cref="IPaperSink"/> from the host.
    /// </summary>
    public static IServiceCollection AddIngestConnectors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ArxivOaiOptions>()
            .Bind(configuration.GetSection(ArxivOaiOptions.Section))
            .Validate(o => o.BaseUrl is null || IsHttpUrl(o.BaseUrl), $"{ArxivOaiOptions.Section}:BaseUrl must be an absolute http(s) URL")
            .Validate(o => o.MetadataPrefix is "arXiv" or "arXivRaw", $"{ArxivOaiOptions.Section}:MetadataPrefix must be arXiv or arXivRaw")
            .Validate(o => o.MinDelay >= TimeSpan.Zero && o.MaxThrottleRetries >= 0, $"{ArxivOaiOptions.Section}: MinDelay and MaxThrottleRetries must not be negative")
            .Validate(o => IsCron(o.Cron), $"{ArxivOaiOptions.Section}:Cron is not a valid cron expression")
            .ValidateOnStart();
        services.AddOptions<ArxivApiOptions>()
            .Bind(configuration.GetSection(ArxivApiOptions.Section))
            .Validate(o => o.BaseUrl is null || IsHttpUrl(o.BaseUrl), $"{ArxivApiOptions.Section}:BaseUrl must be an absolute http(s) URL")
            .Validate(o => o.MinDelay >= TimeSpan.Zero, $"{ArxivApiOptions.Section}:MinDelay must not be negative")
            .Validate(o => o.PageSize is >= 1 and <= 2000, $"{ArxivApiOptions.Section}:PageSize must be 1-2000")
            .ValidateOnStart();
        services.AddOptions<HfDailyOptions>()
            .Bind(configuration.GetSection(HfDailyOptions.Section))
            .Validate(o => o.BaseUrl is null || IsHttpUrl(o.BaseUrl), $"{HfDailyOptions.Section}:BaseUrl must be an absolute http(s) URL")
            .Validate(o => o.PageSize is >= 1 and <= 100, $"{HfDailyOptions.Section}:PageSize must be 1-100")
            .Validate(o => IsCron(o.Cron), $"{HfDailyOptions.Section}:Cron is not a valid cron expression")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PolitenessGate>();

        // OAI-PMH pages of thousands of records can take a while to build, and 503 + Retry-After
        // is arXiv's flow control: OaiPmhClient waits those out itself, so the handler must neither
        // retry them nor count them towards opening the circuit.
        AddSourceClient<OaiPmhClient>(services, o =>
        {
            o.AttemptTimeout.Timeout = TimeSpan.FromMinutes(2);
            o.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(8);
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(5);
            o.Retry.ShouldHandle = args => ValueTask.FromResult(IsTransientExcept503(args.Outcome));
            o.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransientExcept503(args.Outcome));
        });
        services.AddTransient<OaiPmhHarvester>();

        AddSourceClient<ArxivApiClient>(services, o =>
        {
            // Large id lists and max_results pages are slow on arXiv's side.
            o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(60);
            o.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(4);
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(2);
        });

        AddSourceClient<HfDailyPapersClient>(services);

        return services;
    }

    /// <summary>
    /// The typed HttpClient of one source: our User-Agent, redirects refused (a connector talks only
    /// to the host in its configuration), and the standard resilience handler with this source's
    /// settings. AddServiceDefaults gives every client the standard handler already; a source
    /// client replaces it (RemoveAllResilienceHandlers) rather than stacking a second one.
    /// </summary>
    private static void AddSourceClient<TClient>(IServiceCollection services, Action<HttpStandardResilienceOptions>? resilience = null)
        where TClient : class =>
        services.AddHttpClient<TClient>(Configure)
            .ConfigurePrimaryHttpMessageHandler(NoRedirects)
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(resilience ?? (_ => { }));

    private static void Configure(HttpClient http)
    {
        // The resilience handler owns timeouts (per attempt and in total); HttpClient's own
        // 100 s default would cut across them.
        http.Timeout = Timeout.InfiniteTimeSpan;
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Papers-Ingest/1.0");
    }

    private static SocketsHttpHandler NoRedirects() => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
    };

    private static bool IsTransientExcept503(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode != HttpStatusCode.ServiceUnavailable && HttpClientResiliencePredicates.IsTransient(outcome);

    private static bool IsHttpUrl(Uri? url) =>
        url is { IsAbsoluteUri: true } && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);

    /// <summary>Empty means "no schedule"; anything else must parse.</summary>
    private static bool IsCron(string? cron) => string.IsNullOrWhiteSpace(cron) || CronExpression.TryParse(cron, out _);
}
