using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime;
using System.Text;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Papers.Analytics.Archive;
using Papers.Contracts;
using Papers.ServiceDefaults.Messaging;

namespace Papers.Analytics.Bench;

/// <summary>
/// From RabbitMQ to the archive, against MassTransit's own raw consume rate on the same broker in
/// the same run. Each side gets its own virtual host with the same N PaperViewed events waiting
/// in its queue (published while nothing consumes); the clock runs from the first message consumed
/// (and, printed too, from the host's start) to the N-th event consumed (raw: a consumer that only
/// counts, with the same prefetch) or archived (Analytics as its host composes it: batches,
/// Parquet, the message-id index, then the acks). A cold round and three warm ones, each
/// alternating the two sides, the warm ones also pooled; each side's CPU per event is printed too (this process, and the broker's and
/// PostgreSQL's whole processes). A last batch short of <c>Analytics:BatchSize</c> would wait
/// <c>Analytics:FlushAfter</c> for more: N is best a multiple of it (the default is).
/// </summary>
public static class EndToEndBench
{
    private const int WarmRounds = 3;

    private static TimeSpan Sum(IEnumerable<TimeSpan> spans) => spans.Aggregate(TimeSpan.Zero, (a, b) => a + b);

    public static async Task<int> RunAsync(int events)
    {
        var amqp = Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ");
        var management = Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ_MANAGEMENT");
        if (amqp is null || management is null)
        {
            Console.Error.WriteLine("e2e needs PAPERS_TEST_RABBITMQ and PAPERS_TEST_RABBITMQ_MANAGEMENT (source the file scripts/infra.sh writes)");
            return 2;
        }
        using var broker = new Broker(new Uri(amqp), new Uri(management));
        var prefetch = new ArchiveOptions().BatchSize * (new ArchiveOptions().ConcurrentBatches + 1);
        Console.WriteLine($"{events:N0} events each, raw and Analytics alternated in this process; its runtime settings, as the service's: " +
            $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, DynamicAdaptationMode {AppContext.GetData("System.GC.DynamicAdaptationMode") ?? "default"}, TieredPGO {AppContext.GetData("System.Runtime.TieredPGO") ?? "default"}");
        // Rounds in this one process: the first is each side's first events after start, while the
        // JIT still compiles and tiers up its code (the archive's path is long: EF Core, Npgsql,
        // Parquet); the others are the same again on warm code, the rate a running service keeps.
        // One warm round swings by ±8 points with what else the two cores do: the target is read
        // on the warm rounds pooled (all their events over all their time, each side).
        var warm = new List<(Timing Raw, Timing Archive)>();
        for (var round = 1; round <= 1 + WarmRounds; round++)
        {
            var raw = await MeasureAsync(broker, "raw", events, vhost => RawConsumer(vhost, prefetch, events));
            var archive = await MeasureArchiveAsync(broker, events);
            if (round > 1)
                warm.Add((raw, archive));
            Console.WriteLine($"round {round}, {(round == 1 ? "cold" : "warm")}: MassTransit raw consume {events / raw.Consuming.TotalSeconds:N0} events/s (prefetch {prefetch}); " +
                $"Analytics archived {events / archive.Consuming.TotalSeconds:N0} events/s = {raw.Consuming / archive.Consuming:P0} of raw");
            Console.WriteLine($"  counting each host's start: raw {events / raw.Total.TotalSeconds:N0} events/s, Analytics {events / archive.Total.TotalSeconds:N0} events/s = {raw.Total / archive.Total:P0} of raw");
            // Rates on a machine shared with other work swing with its load; the CPU each side used
            // (both servers included) swings less, and is what bounds the rate when the cores are busy.
            Console.WriteLine($"  CPU per event, this process and both servers: raw {raw.Cpu.Total * 1e6 / events:N0} µs, Analytics {archive.Cpu.Total * 1e6 / events:N0} µs = {raw.Cpu.Total / archive.Cpu.Total:P0} of raw's rate if CPU-bound");
        }
        var rawTime = Sum(warm.Select(w => w.Raw.Consuming));
        var archiveTime = Sum(warm.Select(w => w.Archive.Consuming));
        var warmEvents = events * warm.Count;
        Console.WriteLine($"warm rounds pooled ({warm.Count} x {events:N0} events): raw {warmEvents / rawTime.TotalSeconds:N0} events/s, Analytics {warmEvents / archiveTime.TotalSeconds:N0} events/s = " +
            $"{rawTime / archiveTime:P0} of raw (target >= 80 %); CPU per event raw {warm.Sum(w => w.Raw.Cpu.Total) * 1e6 / warmEvents:N0} µs, Analytics {warm.Sum(w => w.Archive.Cpu.Total) * 1e6 / warmEvents:N0} µs");
        return 0;
    }

    /// <summary>Analytics as its host composes it, on a new archive folder and database.</summary>
    private static async Task<Timing> MeasureArchiveAsync(Broker broker, int events)
    {
        var root = Directory.CreateTempSubdirectory("papers-e2e-bench-");
        var postgres = Environment.GetEnvironmentVariable("PAPERS_TEST_POSTGRES");
        var database = $"bench_analytics_{Guid.NewGuid():N}";
        try
        {
            return await MeasureAsync(broker, "analytics", events, vhost => AnalyticsHost(vhost, root.FullName, postgres is null ? null : $"{postgres};Database={database}", events));
        }
        finally
        {
            root.Delete(recursive: true);
            if (postgres is not null)
                await DropAsync(postgres, database);
        }
    }

    /// <summary>
    /// Declares the consumer's queue (a first start), fills it, then times the consumer draining
    /// it: from its host's start, and from the first message its bus consumed (which leaves out
    /// the start of its receive endpoints: one for raw, one per event type for Analytics).
    /// </summary>
    private static async Task<Timing> MeasureAsync(Broker broker, string name, int events, Func<Uri, (IHost Host, Task Done)> consumer)
    {
        var vhost = await broker.CreateVhostAsync($"bench-{name}-{Guid.NewGuid():N}");
        try
        {
            var declare = consumer(vhost);
            await declare.Host.StartAsync();
            await declare.Host.StopAsync();
            declare.Host.Dispose();

            await PublishAsync(vhost, events);
            var (host, done) = consumer(vhost);
            var first = new FirstConsumed();
            host.Services.GetRequiredService<IBus>().ConnectConsumeObserver(first);
            var cpu = CpuUse.Now();
            var start = Stopwatch.GetTimestamp();
            await host.StartAsync();
            await done.WaitAsync(TimeSpan.FromMinutes(10));
            var end = Stopwatch.GetTimestamp();
            var used = CpuUse.Now().Since(cpu);
            await host.StopAsync();
            host.Dispose();
            var timing = new Timing(Stopwatch.GetElapsedTime(start, end), Stopwatch.GetElapsedTime(first.At, end), used);
            Console.WriteLine($"  {name}: {events:N0} in {timing.Total.TotalSeconds:0.00} s from the host's start, {timing.Consuming.TotalSeconds:0.00} s from the first message consumed; {used.PerEvent(events)}");
            return timing;
        }
        finally
        {
            await broker.DeleteVhostAsync(vhost);
        }
    }

    private static async Task PublishAsync(Uri vhost, int events)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(vhost, h => h.PublisherConfirmation = true));
        await bus.StartAsync();
        var start = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
        foreach (var chunk in Enumerable.Range(0, events).Chunk(500))
            await Task.WhenAll(chunk.Select(i => bus.Publish(new PaperViewed($"2411.{i % 5000:00000}", start.AddMilliseconds(i * 10L)))));
        await bus.StopAsync();
    }

    private static (IHost, Task) RawConsumer(Uri vhost, int prefetch, int events)
    {
        var counter = new RawCounter(events);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(counter);
        // As AddMessaging does: a start that returns before the bus runs would let the declaring host's bus outlive its stop.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        builder.Services.AddMassTransit(x =>
        {
            x.AddConsumer<CountViewsConsumer>().Endpoint(e => e.Name = "bench-raw-paper-viewed");
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(vhost);
                cfg.PrefetchCount = prefetch;
                cfg.ConfigureEndpoints(context);
            });
        });
        return (builder.Build(), counter.Done);
    }

    /// <param name="postgres">The service's database, or null for SQLite (the embedded default's) in <paramref name="root"/>.</param>
    private static (IHost, Task) AnalyticsHost(Uri vhost, string root, string? postgres, int events)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:RabbitMq"] = vhost.ToString(),
            ["Analytics:Root"] = Path.Combine(root, "archive"),
            ["Database:DataDirectory"] = root,
        });
        if (postgres is not null)
        {
            builder.Configuration["Database:Provider"] = "Postgres";
            builder.Configuration["ConnectionStrings:Analytics"] = postgres;
        }
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddMessaging(builder.AddAnalytics());
        var archived = new ArchivedCounter(events);
        return (builder.Build(), archived.Done);
    }

    private static async Task DropAsync(string server, string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection($"{server};Database=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <param name="Total">From the host's start to the last event consumed (raw) or archived.</param>
    /// <param name="Consuming">From the first message consumed to the last event consumed or archived.</param>
    /// <param name="Cpu">What consuming cost this process, the broker and PostgreSQL.</param>
    private sealed record Timing(TimeSpan Total, TimeSpan Consuming, CpuUse Cpu);

    /// <summary>When a bus began to consume: its first message's arrival at a consumer.</summary>
    private sealed class FirstConsumed : IConsumeObserver
    {
        private long _at;

        /// <summary>The first message's <see cref="Stopwatch.GetTimestamp"/>.</summary>
        public long At => Interlocked.Read(ref _at);

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class
        {
            Interlocked.CompareExchange(ref _at, Stopwatch.GetTimestamp(), 0);
            return Task.CompletedTask;
        }

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    private sealed class RawCounter(int events)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public Task Done => _done.Task;

        public void Add()
        {
            if (Interlocked.Increment(ref _count) == events)
                _done.TrySetResult();
        }
    }

    private sealed class CountViewsConsumer(RawCounter counter) : IConsumer<PaperViewed>
    {
        public Task Consume(ConsumeContext<PaperViewed> context)
        {
            counter.Add();
            return Task.CompletedTask;
        }
    }

    /// <summary>Counts what the archive reports written (its own metric), in this process.</summary>
    private sealed class ArchivedCounter
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly MeterListener _listener = new();
        private long _count;

        public ArchivedCounter(int events)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "papers.analytics.events.archived")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
            {
                if (Interlocked.Add(ref _count, value) >= events)
                {
                    _done.TrySetResult();
                    _listener.Dispose();
                }
            });
            _listener.Start();
        }

        public Task Done => _done.Task;
    }

    /// <summary>Virtual hosts on the broker, through its management API.</summary>
    private sealed class Broker : IDisposable
    {
        private readonly HttpClient _http;
        private readonly Uri _amqp;
        private readonly string _user;

        public Broker(Uri amqp, Uri management)
        {
            _amqp = amqp;
            var userInfo = Uri.UnescapeDataString(amqp.UserInfo);
            _user = userInfo.Split(':')[0];
            _http = new HttpClient { BaseAddress = management };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo)));
        }

        public async Task<Uri> CreateVhostAsync(string name)
        {
            (await _http.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
            (await _http.PutAsJsonAsync($"api/permissions/{name}/{Uri.EscapeDataString(_user)}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
            return new UriBuilder(_amqp) { Path = "/" + name }.Uri;
        }

        public async Task DeleteVhostAsync(Uri vhost) => await _http.DeleteAsync($"api/vhosts/{vhost.Segments[^1]}");

        public void Dispose() => _http.Dispose();
    }
}
