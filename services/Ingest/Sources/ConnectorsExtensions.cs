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

public static partial class ConnectorsExtensions
{
    /// <summary>
    /// Registers the source connectors: options from <c>Sources:ArxivOai</c>, <c>Sources:OaiDc</c>,
    /// <c>Sources:ArxivFeed</c>, <c>Sources:ArxivApi</c> and <c>Sources:HfDaily</c> (a bad value fails
    /// with the setting and value named), typed HttpClients with the standard resilience handler,
    /// the shared politeness gate, and the OAI-PMH harvesters. The harvester needs an
    /// <see cref="IHarvestCursorStore"/> and an <see cref="IPaperSink"/> from the host.
    /// </summary>
    public static IServiceCollection AddIngestConnectors(this IServiceCollection services, IConfiguration configuration)
    {
        AddOaiOptions<ArxivOaiOptions>(services, configuration, ArxivOaiOptions.Section, "arXiv or arXivRaw (Dublin Core repositories are Sources:OaiDc)",
            o => o.MetadataPrefix is "arXiv" or "arXivRaw");
        AddOaiOptions<OaiDcOptions>(services, configuration, OaiDcOptions.Section, "oai_dc", o => o.MetadataPrefix == "oai_dc");
        services.AddOptions<ArxivFeedOptions>()
            .Bind(configuration.GetSection(ArxivFeedOptions.Section))
            .Require(o => o.BaseUrl is null || IsHttpUrl(o.BaseUrl), o => Setting(ArxivFeedOptions.Section, "BaseUrl", o.BaseUrl, "an absolute http(s) URL"))
            .Require(o => o.Categories.All(c => CategoryName().IsMatch(c)), o => Setting(ArxivFeedOptions.Section, "Categories", string.Join(',', o.Categories), "arXiv categories or archives such as cs.LG, astro-ph"))
            .Require(o => o.MinDelay >= TimeSpan.Zero, o => Setting(ArxivFeedOptions.Section, "MinDelay", o.MinDelay, "not negative"))
            .Require(o => IsCron(o.Cron), o => Setting(ArxivFeedOptions.Section, "Cron", o.Cron, "a cron expression (UTC) or empty"))
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
        AddSourceClient<ArxivOaiClient>(services, OaiResilience);
        AddSourceClient<OaiDcClient>(services, OaiResilience);
        // Unkeyed, the OAI-PMH client and harvester are arXiv's; keyed by its section, the Dublin Core source's.
        services.AddTransient<OaiPmhClient>(sp => sp.GetRequiredService<ArxivOaiClient>());
        services.AddTransient(sp => Harvester<ArxivOaiOptions>(sp, sp.GetRequiredService<ArxivOaiClient>()));
        services.AddKeyedTransient(OaiDcOptions.Section, (sp, _) => Harvester<OaiDcOptions>(sp, sp.GetRequiredService<OaiDcClient>()));
        AddSourceClient<ArxivListingFeedClient>(services);

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

    private static void AddOaiOptions<T>(IServiceCollection services, IConfiguration configuration, string section, string prefixes, Func<T, bool> prefixOk)
        where T : OaiSourceOptions =>
        services.AddOptions<T>()
            .Bind(configuration.GetSection(section))
            .Require(o => o.BaseUrl is null || IsHttpUrl(o.BaseUrl), o => Setting(section, "BaseUrl", o.BaseUrl, "an absolute http(s) URL"))
            .Require(prefixOk, o => Setting(section, "MetadataPrefix", o.MetadataPrefix, prefixes))
            .Require(o => o.MinDelay >= TimeSpan.Zero, o => Setting(section, "MinDelay", o.MinDelay, "not negative"))
            .Require(o => o.MaxThrottleRetries >= 0, o => Setting(section, "MaxThrottleRetries", o.MaxThrottleRetries, "not negative"))
            .Require(o => IsCron(o.Cron), o => Setting(section, "Cron", o.Cron, "a cron expression (UTC) or empty"))
            .ValidateOnStart();

    /// <summary>
    /// OAI-PMH pages of thousands of records can take a while to build, and 503 + Retry-After is
    /// the repository's flow control: OaiPmhClient waits those out itself, so the handler must
    /// neither retry them nor count them towards opening the circuit.
    /// </summary>
    private static void OaiResilience(HttpStandardResilienceOptions o)
    {
        o.AttemptTimeout.Timeout = TimeSpan.FromMinutes(2);
        o.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(8);
        o.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(5);
        o.Retry.ShouldHandle = args => ValueTask.FromResult(IsTransientExcept503(args.Outcome));
        o.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransientExcept503(args.Outcome));
    }

    private static OaiPmhHarvester Harvester<T>(IServiceProvider sp, OaiPmhClient client) where T : OaiSourceOptions =>
        new(client, sp.GetRequiredService<IHarvestCursorStore>(), sp.GetRequiredService<IPaperSink>(), sp.GetRequiredService<IOptions<T>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OaiPmhHarvester>>());

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

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z-]+(\.[A-Za-z-]+)?$")]
    private static partial System.Text.RegularExpressions.Regex CategoryName();

    /// <summary>Empty means "no schedule"; anything else must parse.</summary>
    private static bool IsCron(string? cron) => string.IsNullOrWhiteSpace(cron) || CronExpression.TryParse(cron, out _);
}
