using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Papers.ServiceDefaults.Security;

/// <summary>What a request costs: every endpoint belongs to one class, each with its own per-minute limit.</summary>
public enum RequestClass
{
    /// <summary>Looking up papers and lists (the default).</summary>
    Read,

    /// <summary>Search and similar papers: a query embedding and index work.</summary>
    Search,

    /// <summary>Enrichment's <c>POST /embed</c>: model work per text.</summary>
    Embed,

    /// <summary>Search and similar papers by a pasted text (up to 10,000 characters): a full-length embedding and a long keyword query.</summary>
    TextSearch,

    /// <summary>Votes, submissions, subscriptions, sessions: changes and mail.</summary>
    Write,

    /// <summary>
    /// Training's promoted tagger model (<c>GET /api/training/models/current</c>, about 0.7 MB):
    /// Enrichment replicas fetch it a few times an hour; on a public port anyone else is spending bandwidth.
    /// </summary>
    ModelDownload,
}

/// <summary>Actions that change what others see or send mail, limited per client address per hour whatever cookies it presents.</summary>
public enum RateAction
{
    Vote,
    Submit,
    Subscribe,

    /// <summary>A new visitor cookie: so that fresh cookies cannot multiply a client's votes.</summary>
    NewVisitor,
}

/// <summary>Section <c>RateLimits</c>: limits per replica (each replica counts on its own; see the README).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Off for a private install or a benchmark; the chart turns it off for internal-only services.</summary>
    public bool Enabled { get; set; } = true;

    public int AnonymousReadsPerMinute { get; set; } = 300;
    public int AnonymousSearchesPerMinute { get; set; } = 60;
    public int AnonymousEmbedsPerMinute { get; set; } = 30;
    public int AnonymousTextSearchesPerMinute { get; set; } = 10;
    public int AnonymousWritesPerMinute { get; set; } = 30;
    public int AnonymousModelDownloadsPerMinute { get; set; } = 2;

    /// <summary>Upvotes (and their undoing) by one client address an hour, whatever visitor cookies it holds.</summary>
    public int VotesPerHour { get; set; } = 10;

    public int SubmissionsPerHour { get; set; } = 10;

    /// <summary>Subscribe requests (each may send a confirmation mail) from one client address an hour.</summary>
    public int SubscriptionsPerHour { get; set; } = 10;

    /// <summary>New visitor cookies issued to one client address an hour.</summary>
    public int NewVisitorsPerHour { get; set; } = 20;

    /// <summary>The quota of a key issued without one: reads a minute; searches cost 5, embeddings 10, searches by pasted text 20, writes 5, model downloads 300.</summary>
    public int DefaultKeyRequestsPerMinute { get; set; } = 3_000;

    /// <summary>
    /// The window the "per minute" limits count in (hourly actions always count per hour). A
    /// minute in production; tests shorten it so that waiting out a 429 takes seconds.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    public int AnonymousLimit(RequestClass c) => c switch
    {
        RequestClass.Search => AnonymousSearchesPerMinute,
        RequestClass.Embed => AnonymousEmbedsPerMinute,
        RequestClass.TextSearch => AnonymousTextSearchesPerMinute,
        RequestClass.Write => AnonymousWritesPerMinute,
        RequestClass.ModelDownload => AnonymousModelDownloadsPerMinute,
        _ => AnonymousReadsPerMinute,
    };

    /// <summary>A key's per-minute limit in a class: its quota divided by what the class costs.</summary>
    public static int KeyLimit(int quota, RequestClass c) => Math.Max(1, quota / c switch
    {
        RequestClass.Search or RequestClass.Write => 5,
        RequestClass.Embed => 10,
        RequestClass.TextSearch => 20,
        RequestClass.ModelDownload => 300,
        _ => 1,
    });

    public int HourlyLimit(RateAction a) => a switch
    {
        RateAction.Vote => VotesPerHour,
        RateAction.Submit => SubmissionsPerHour,
        RateAction.Subscribe => SubscriptionsPerHour,
        _ => NewVisitorsPerHour,
    };
}

/// <summary>Endpoint metadata: the class a request belongs to, and the hourly action it counts as, if any.</summary>
public sealed record RateLimitMetadata(RequestClass Class, RateAction? Action = null);

/// <summary>The outcome of asking for a permit: whether it was granted, and what the <c>RateLimit</c> headers say.</summary>
public readonly record struct RateLimitDecision(bool Granted, string Policy, int Limit, int Remaining, TimeSpan Window, TimeSpan ResetIn);

/// <summary>
/// Fixed-window limiters (System.Threading.RateLimiting) partitioned by caller: an API key by its
/// id, a signed-in account by its id, anyone else by client address. One replica's counts: the README and the chart size them.
/// </summary>
public sealed class RateLimiters : IDisposable
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<(string Partition, int Limit, TimeSpan Window)> _limiters;

    public RateLimiters(IOptions<RateLimitOptions> options)
    {
        _options = options.Value;
        _limiters = PartitionedRateLimiter.Create<(string Partition, int Limit, TimeSpan Window), string>(
            request => RateLimitPartition.Get(request.Partition, _ => new WindowLimiter(request.Limit, request.Window)));
    }

    public bool Enabled => _options.Enabled;

    /// <summary>
    /// Permits of the request's class, for the caller: one per request (the middleware), and more for
    /// a request whose cost grows with its size (an endpoint asks for them; at most <see cref="ClassLimit"/>).
    /// </summary>
    public RateLimitDecision AcquireForClass(Caller caller, RequestClass c, int permits = 1)
    {
        var limit = ClassLimit(caller, c);
        return Acquire(c.ToString().ToLowerInvariant(), $"{c}|{caller.LimitPartition}|{limit}", limit, _options.Window, permits);
    }

    /// <summary>How many permits of a class the caller gets in a window.</summary>
    public int ClassLimit(Caller caller, RequestClass c) => caller.Kind == CallerKind.ApiKey
        ? RateLimitOptions.KeyLimit(caller.KeyRequestsPerMinute ?? _options.DefaultKeyRequestsPerMinute, c)
        : _options.AnonymousLimit(c);

    /// <summary>Writes the <c>RateLimit</c> headers of a decision an endpoint took (replacing the middleware's).</summary>
    public static void WriteHeaders(HttpResponse response, RateLimitDecision decision) => RateLimitMiddleware.WriteHeaders(response, decision);

    /// <summary>Answers 429 with <c>Retry-After</c> for a decision an endpoint took.</summary>
    public static Task RefuseAsync(HttpContext http, RateLimitDecision decision) => RateLimitMiddleware.RefuseAsync(http, decision);

    /// <summary>A permit for an hourly action; API keys are not limited here (their quota is).</summary>
    public RateLimitDecision? AcquireForAction(Caller caller, RateAction action)
    {
        if (caller.Kind == CallerKind.ApiKey)
            return null;
        var limit = _options.HourlyLimit(action);
        return Acquire(action.ToString().ToLowerInvariant() + "-per-hour", $"{action}|{caller.LimitPartition}", limit, Hour);
    }

    private RateLimitDecision Acquire(string policy, string partition, int limit, TimeSpan window, int permits = 1)
    {
        var key = (partition, limit, window);
        using var lease = _limiters.AttemptAcquire(key, Math.Clamp(permits, 0, limit));
        var remaining = (int)(_limiters.GetStatistics(key)?.CurrentAvailablePermits ?? 0);
        var resetIn = WindowLimiter.ResetIn(lease) ?? window;
        return new RateLimitDecision(lease.IsAcquired, policy, limit, remaining, window, resetIn);
    }

    public void Dispose() => _limiters.Dispose();

    /// <summary>A fixed window that also knows when its current window ends, for the <c>RateLimit</c> header's reset.</summary>
    private sealed class WindowLimiter(int limit, TimeSpan window) : ReplenishingRateLimiter
    {
        private readonly FixedWindowRateLimiter _inner = new(new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = false,
        });

        private readonly Lock _gate = new();
        private long _windowStarted = Stopwatch.GetTimestamp();

        public override TimeSpan? IdleDuration => _inner.IdleDuration;
        public override bool IsAutoReplenishing => false;
        public override TimeSpan ReplenishmentPeriod => _inner.ReplenishmentPeriod;

        /// <summary>
        /// Starts the next window once the current one has run its length. The inner limiter answers
        /// true to every call whether or not it started one, so the window's start is kept here, read
        /// after the inner one replenished (so when this one has run out, the inner one has too).
        /// </summary>
        public override bool TryReplenish()
        {
            lock (_gate)
            {
                if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _windowStarted)) < window)
                    return false;
                _inner.TryReplenish();
                Interlocked.Exchange(ref _windowStarted, Stopwatch.GetTimestamp());
                return true;
            }
        }

        public override RateLimiterStatistics? GetStatistics() => _inner.GetStatistics();

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            // Not only the partitioned limiter's 100 ms timer starts the next window: a client that
            // waited exactly its Retry-After finds it started.
            TryReplenish();
            return new WindowLease(_inner.AttemptAcquire(permitCount), window - Stopwatch.GetElapsedTime(Interlocked.Read(ref _windowStarted)));
        }

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AttemptAcquireCore(permitCount));

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _inner.Dispose();
            base.Dispose(disposing);
        }

        public static TimeSpan? ResetIn(RateLimitLease lease) => lease is WindowLease w ? w.ResetIn : null;

        private sealed class WindowLease(RateLimitLease inner, TimeSpan resetIn) : RateLimitLease
        {
            public TimeSpan ResetIn { get; } = resetIn < TimeSpan.Zero ? TimeSpan.Zero : resetIn;
            public override bool IsAcquired => inner.IsAcquired;
            public override IEnumerable<string> MetadataNames => inner.MetadataNames;
            public override bool TryGetMetadata(string metadataName, out object? metadata) => inner.TryGetMetadata(metadataName, out metadata);

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    inner.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}

/// <summary>
/// Applies the limits to every request except health probes, writes <c>RateLimit-Policy</c> and
/// <c>RateLimit</c> (draft-ietf-httpapi-ratelimit-headers) on every response, and answers
/// <c>429</c> with <c>Retry-After</c> when a limit is spent.
/// </summary>
internal sealed class RateLimitMiddleware(RequestDelegate next, RateLimiters limiters)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!limiters.Enabled || http.Request.Path.StartsWithSegments("/health") || http.Request.Path.StartsWithSegments("/alive"))
        {
            await next(http);
            return;
        }
        var metadata = http.GetEndpoint()?.Metadata.GetMetadata<RateLimitMetadata>() ?? new RateLimitMetadata(RequestClass.Read);
        var caller = Caller.Of(http);
        var decision = limiters.AcquireForClass(caller, metadata.Class);
        if (decision.Granted && metadata.Action is { } action && limiters.AcquireForAction(caller, action) is { Granted: false } refused)
            decision = refused;
        WriteHeaders(http.Response, decision);
        // Error handling clears the headers before it writes its problem (a malformed or too large
        // body, a value that doesn't bind): they are written again then, unless an endpoint set its own.
        http.Response.OnStarting(() =>
        {
            if (!http.Response.Headers.ContainsKey("RateLimit"))
                WriteHeaders(http.Response, decision);
            return Task.CompletedTask;
        });
        if (!decision.Granted)
        {
            await RefuseAsync(http, decision);
            return;
        }
        await next(http);
    }

    public static void WriteHeaders(HttpResponse response, RateLimitDecision d)
    {
        response.Headers["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture, $"\"{d.Policy}\";q={d.Limit};w={(int)d.Window.TotalSeconds}");
        response.Headers["RateLimit"] = string.Create(CultureInfo.InvariantCulture, $"\"{d.Policy}\";r={d.Remaining};t={(int)Math.Ceiling(d.ResetIn.TotalSeconds)}");
    }

    public static Task RefuseAsync(HttpContext http, RateLimitDecision d)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(d.ResetIn.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.WriteAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"The limit '{d.Policy}' ({d.Limit} per {(int)d.Window.TotalSeconds} s) is spent; try again in {seconds} s. An API key raises your limits.");
    }
}

public static class RateLimitEndpointExtensions
{
    /// <summary>Puts the endpoint in a rate-limit class, and counts it as an hourly action if given.</summary>
    public static TBuilder RateLimited<TBuilder>(this TBuilder builder, RequestClass requestClass, RateAction? action = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RateLimitMetadata(requestClass, action));
}
