using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.ServiceDefaults.Security;
using Item = Papers.EndToEnd.Tests.LocalHostFixture.Item;

namespace Papers.EndToEnd.Tests;

/// <summary>
/// The embedded default as it would face the internet: rate limits on (small ones, counted in a
/// 5-second window instead of a minute so that waiting out a 429 takes seconds), one trusted proxy
/// (127.0.0.1, whose <c>X-Forwarded-For</c> is believed) and a public base URL of its own. Tests
/// give each scenario its own client address through that proxy (<see cref="LocalHost.ClientFrom"/>),
/// so their buckets don't meet; a peer at 127.0.0.2 is an untrusted one
/// (<see cref="LocalHost.UntrustedPeerClient"/>). Shared by the abuse, rate-limit and fuzz tests.
/// </summary>
public sealed class HardenedHostFixture : LocalHost, IAsyncLifetime
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    public const int AnonymousReads = 40, AnonymousSearches = 10, AnonymousEmbeds = 5, AnonymousWrites = 20;

    /// <summary>
    /// Runs a rate-limit scenario that is only meaningful within <paramref name="windows"/> of the
    /// shortened <see cref="Window"/>, each attempt with clients of its own (addresses built from
    /// the attempt number, so a fresh partition and window). A failure of an attempt that outlasted
    /// those windows (a machine too busy to fit it) runs it again, up to three times; a failure
    /// within them is the test's failure.
    /// </summary>
    public static async Task InOneWindowAsync(Func<int, Task> scenario, int windows = 1)
    {
        for (var attempt = 0; ; attempt++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                await scenario(attempt);
                return;
            }
            catch (Exception) when (watch.Elapsed >= Window * windows && attempt < 2)
            {
            }
        }
    }
    public const int VotesPerHour = 10, SubmissionsPerHour = 10, SubscriptionsPerHour = 10, NewVisitorsPerHour = 20;
    public const int SubmissionsPerIdentityPerDay = 5;
    public const string PublicBaseUrl = "https://papers.example.org";
    public const string SampleDay = "2025-11-07";

    /// <summary>The sample has no arXiv ids; these two papers have, listed the day before it (so they don't move the latest day).</summary>
    public const string ArxivDay = "2025-11-06";
    public static readonly string[] ArxivPapers = ["2510.01234", "2510.04321"];

    public HardenedHostFixture()
        : this(Directory.CreateTempSubdirectory("papers-hardened-").FullName)
    {
    }

    private HardenedHostFixture(string dataDirectory)
        : base(dataDirectory, new Dictionary<string, string?>
        {
            ["Ingest:Import:1:Path"] = WriteArxivPapers(dataDirectory),
            ["Ingest:Import:1:ListedOn"] = ArxivDay,
            ["RateLimits:Enabled"] = "true",
            ["RateLimits:Window"] = Window.ToString(),
            ["RateLimits:AnonymousReadsPerMinute"] = $"{AnonymousReads}",
            ["RateLimits:AnonymousSearchesPerMinute"] = $"{AnonymousSearches}",
            ["RateLimits:AnonymousEmbedsPerMinute"] = $"{AnonymousEmbeds}",
            ["RateLimits:AnonymousWritesPerMinute"] = $"{AnonymousWrites}",
            ["RateLimits:VotesPerHour"] = $"{VotesPerHour}",
            ["RateLimits:SubmissionsPerHour"] = $"{SubmissionsPerHour}",
            ["RateLimits:SubscriptionsPerHour"] = $"{SubscriptionsPerHour}",
            ["RateLimits:NewVisitorsPerHour"] = $"{NewVisitorsPerHour}",
            ["Submissions:PerIdentityPerDay"] = $"{SubmissionsPerIdentityPerDay}",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
            ["PublicSite:BaseUrl"] = PublicBaseUrl,
        })
    {
    }

    public async Task InitializeAsync()
    {
        StartServer();
        await WaitForSampleEnrichedAsync();
        using var client = CreateClient();
        await Eventually.UntilAsync(async () =>
        {
            var items = await client.GetFromJsonAsync<List<Item>>($"/api/daily_papers?date={ArxivDay}&limit=10");
            return items is { Count: 2 } && items.All(i => i.Paper.Enriched);
        }, TimeSpan.FromMinutes(1), "the two arXiv papers to be ingested and enriched");
    }

    private static string WriteArxivPapers(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "arxiv-papers.jsonl");
        File.WriteAllLines(path,
        [
            """{"arxivId": "2510.01234v2", "title": "Sparse Attention for Long-Context Protein Language Models", "summary": "We introduce a sparse attention scheme that lets protein language models read sequences of 100k residues, and show it matches dense attention on structure prediction benchmarks.", "authors": [{"name": "Ada Example"}, {"name": "Alan Sample"}], "primaryCategory": "q-bio.BM", "categories": ["q-bio.BM", "cs.LG"]}""",
            """{"arxivId": "2510.04321", "title": "Calibrated Uncertainty for Retrieval-Augmented Generation", "summary": "Retrieval-augmented language models are overconfident when retrieval fails; we calibrate their uncertainty with a small verifier trained on retrieval outcomes.", "authors": [{"name": "Grace Example"}], "primaryCategory": "cs.CL", "categories": ["cs.CL"]}""",
        ]);
        return path;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { /* SQLite may still hold a file on some systems; the OS temp cleaner takes it */ }
    }
}

/// <summary>The abuse, rate-limit and fuzz tests share one hardened host, one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class HardenedHostCollection : ICollectionFixture<HardenedHostFixture>
{
    public const string Name = "hardened host";
}

/// <summary>Clients and probes the security tests need.</summary>
public partial class LocalHost
{
    /// <summary>Exceptions no answer was made of (see <see cref="ApplicationErrorLog"/>).</summary>
    public ApplicationErrorLog ApplicationErrors { get; } = new();

    /// <summary>A client whose requests reach the host through the trusted proxy on behalf of <paramref name="address"/> (<c>X-Forwarded-For</c>).</summary>
    public HttpClient ClientFrom(string address)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    /// <summary>A key issued straight into the host's identity store.</summary>
    public async Task<string> IssueKeyAsync(int requestsPerMinute, params string[] scopes) =>
        (await Services.GetRequiredService<ApiKeyStore>().IssueAsync($"e2e {Guid.NewGuid():N}", scopes, requestsPerMinute, default)).Key;

    /// <summary>A client sending <paramref name="key"/>, from <paramref name="address"/> when given.</summary>
    public HttpClient KeyClient(string key, string? address = null)
    {
        var client = address is null ? CreateClient() : ClientFrom(address);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>As <see cref="VisitorClientAsync()"/>, for a visitor at <paramref name="address"/> (behind the trusted proxy).</summary>
    public async Task<HttpClient> VisitorClientAsync(string address)
    {
        var client = ClientFrom(address);
        var session = (await client.GetFromJsonAsync<VisitorSession>("/api/session"))!;
        client.DefaultRequestHeaders.Add(session.HeaderName, session.AntiforgeryToken);
        return client;
    }

    /// <summary>
    /// A client that connects from 127.0.0.2: a peer that is not the configured proxy, so whatever
    /// <c>X-Forwarded-For</c> it sends must be ignored.
    /// </summary>
    public HttpClient UntrustedPeerClient()
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Address };
    }

    /// <summary>Runs <paramref name="query"/> on one of the host's own database contexts (a fresh scope).</summary>
    public async Task<T> QueryAsync<TContext, T>(Func<TContext, Task<T>> query) where TContext : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TContext>());
    }
}

/// <summary>
/// Exceptions the host's request pipeline did not turn into an answer: what the exception handler
/// logs for a 500, and what Kestrel logs when the application threw after its response started (the
/// client then sees a reset, not a status). Empty while every request was answered on purpose.
/// </summary>
public sealed class ApplicationErrorLog : ILoggerProvider
{
    private static readonly string[] Categories =
        ["Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Hosting.Diagnostics"];

    private readonly ConcurrentQueue<string> _errors = new();

    public IReadOnlyList<string> Snapshot() => [.. _errors];

    public ILogger CreateLogger(string categoryName) => Categories.Any(c => categoryName.StartsWith(c, StringComparison.Ordinal)) ? new Logger(this, categoryName) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Logger(ApplicationErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error && exception is not null)
                log._errors.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}

/// <summary>
/// The SQL commands EF Core runs in this process, each with the probe marker of the request it ran
/// for: a request sent with <see cref="Mark"/> carries a <c>baggage</c> entry that ASP.NET Core puts on
/// the request's activity, and EF Core's diagnostic events run inside that activity. So a test can
/// tell how many database commands one request caused, among everything else the process runs.
/// </summary>
public sealed class DbCommandProbe : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private const string BaggageKey = "e2e-probe";
    private readonly IDisposable _subscription;
    private readonly List<IDisposable> _listeners = [];
    private readonly List<(string Probe, string Context, string Sql)> _commands = [];

    public DbCommandProbe() => _subscription = DiagnosticListener.AllListeners.Subscribe(this);

    /// <summary>Marks a request: its database commands are counted under the returned probe id.</summary>
    public static string Mark(HttpRequestMessage request)
    {
        var probe = Guid.NewGuid().ToString("N");
        request.Headers.TryAddWithoutValidation("baggage", $"{BaggageKey}={probe}");
        return probe;
    }

    /// <summary>The commands (context type, SQL) run for the request marked <paramref name="probe"/>.</summary>
    public IReadOnlyList<(string Context, string Sql)> CommandsOf(string probe)
    {
        lock (_commands)
            return [.. _commands.Where(c => c.Probe == probe).Select(c => (c.Context, c.Sql))];
    }

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
        {
            lock (_listeners)
                _listeners.Add(listener.Subscribe(this, name => name == RelationalEventId.CommandExecuting.Name));
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is not CommandEventData data)
            return;
        var probe = Activity.Current?.GetBaggageItem(BaggageKey);
        if (probe is null)
            return;
        lock (_commands)
            _commands.Add((probe, data.Context?.GetType().Name ?? "?", data.Command.CommandText));
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _subscription.Dispose();
        lock (_listeners)
            _listeners.ForEach(l => l.Dispose());
    }
}
