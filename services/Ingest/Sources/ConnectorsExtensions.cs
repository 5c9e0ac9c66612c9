using System.Net;
using Cronos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Papers.Ingest.Harvest;
using Polly;
using Polly.Retry;

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
            .Require(o => o.BaseUrl is null || IsHttpUrl(o.BaseUrl), o => Setting(ArxivOaiOptions.Section, "BaseUrl", o.BaseUrl, "an absolute http(s) URL"))
            .Require(o => o.MetadataPrefix is "arXiv" or "arXivRaw", o => Setting(ArxivOaiOptions.Section, "MetadataPrefix", o.MetadataPrefix, "arXiv or arXivRaw (Dublin Core repositories are Sources:OaiDc)"))
            .Require(o => o.MinDelay >= TimeSpan.Zero, o => Setting(ArxivOaiOptions.Section, "MinDelay", o.MinDelay, "not negative"))
            .Require(o => o.MaxThrottleRetries >= 0, o => Setting(ArxivOaiOptions.Section, "MaxThrottleRetries", o.MaxThrottleRetries, "not negative"))
            .Require(o => IsCron(o.Cron), o => Setting(ArxivOaiOptions.Section, "Cron", o.Cron, "a cron expression (UTC) or empty"))
            .ValidateOnStart();
        services.AddOptions<ArxivApiOptions>()
            .Bind(configuration.GetSection(ArxivApiOptions.Section))
            .Require(o => o.BaseUrl is null || IsHttpUrl(o.BaseUrl), o => Setting(ArxivApiOptions.Section, "BaseUrl", o.BaseUrl, "an absolute http(s) URL"))
            .Require(o => o.MinDelay >= TimeSpan.Zero, o => Setting(ArxivApiOptions.Section, "MinDelay", o.MinDelay, "not negative"))
            .Require(o => o.PageSize is >= 1 and <= 2000, o => Setting(ArxivApiOptions.Section, "PageSize", o.PageSize, "1-2000"))
            .ValidateOnStart();
        services.AddOptions<HfDailyOptions>()
            .Bind(configuration.GetSection(HfDailyOptions.Section))
            .Require(o => o.BaseUrl is null || IsHttpUrl(o.BaseUrl), o => Setting(HfDailyOptions.Section, "BaseUrl", o.BaseUrl, "an absolute http(s) URL"))
            .Require(o => o.PageSize is >= 1 and <= 100, o => Setting(HfDailyOptions.Section, "PageSize", o.PageSize, "1-100"))
            .Require(o => IsCron(o.Cron), o => Setting(HfDailyOptions.Section, "Cron", o.Cron, "a cron expression (UTC) or empty"))
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
            .AddStandardResilienceHandler(resilience ?? (_ => { }))
            .Configure((options, provider) => options.Retry.OnRetry = LogRetry(provider.GetRequiredService<ILoggerFactory>().CreateLogger<TClient>()));

    /// <summary>One line per retry, with what failed and the wait: enough to see a source is down,
    /// without a stack trace per attempt.</summary>
    private static Func<OnRetryArguments<HttpResponseMessage>, ValueTask> LogRetry(ILogger logger) => args =>
    {
        var reason = args.Outcome.Exception?.Message ?? $"HTTP {(int?)args.Outcome.Result?.StatusCode}";
        logger.LogWarning("Retry {Attempt} of {Uri} in {Delay:0.0} s: {Reason}",
            args.AttemptNumber + 1, args.Context.GetRequestMessage()?.RequestUri, args.RetryDelay.TotalSeconds, reason);
        return ValueTask.CompletedTask;
    };

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

    /// <summary>"Sources:ArxivOai:MetadataPrefix is 'bogus'; expected arXiv or arXivRaw".</summary>
    private static string Setting(string section, string key, object? value, string expected) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{section}:{key} is '{value}'; expected {expected}");

    /// <summary>Like <c>Validate</c>, but the failure message can name the value that failed.</summary>
    private static OptionsBuilder<T> Require<T>(this OptionsBuilder<T> builder, Func<T, bool> ok, Func<T, string> failure) where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new RequiredSetting<T>(builder.Name, ok, failure));
        return builder;
    }

    private sealed class RequiredSetting<T>(string? name, Func<T, bool> ok, Func<T, string> failure) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options) =>
            name is not null && name != optionsName ? ValidateOptionsResult.Skip
            : ok(options) ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(failure(options));
    }

    private static bool IsTransientExcept503(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode != HttpStatusCode.ServiceUnavailable && HttpClientResiliencePredicates.IsTransient(outcome);

    private static bool IsHttpUrl(Uri? url) =>
        url is { IsAbsoluteUri: true } && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp);

    /// <summary>Empty means "no schedule"; anything else must parse.</summary>
    private static bool IsCron(string? cron) => string.IsNullOrWhiteSpace(cron) || CronExpression.TryParse(cron, out _);
}
