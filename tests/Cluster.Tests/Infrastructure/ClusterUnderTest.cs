using System.Diagnostics;
using System.Net.Http.Json;
using Npgsql;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests.Infrastructure;

/// <summary>
/// The four services as separate processes over a fresh RabbitMQ vhost and fresh databases (one
/// per service) on the shared servers; everything it made is removed on dispose.
/// </summary>
public sealed class ClusterUnderTest : IAsyncDisposable
{
    public static readonly string[] Services = ["Enrichment", "Api", "Ingest", "Notifications"];

    public static string PapersFile => Path.Combine(AppContext.BaseDirectory, "Data", "papers.jsonl");

    /// <summary>
    /// Papers per backfill: every paper of the file (812), or the first PAPERS_CLUSTER_TEST_PAPERS
    /// of them on a machine too busy for that.
    /// </summary>
    public static int Papers { get; } = Math.Min(
        File.ReadLines(PapersFile).Count(l => !string.IsNullOrWhiteSpace(l)),
        int.TryParse(System.Environment.GetEnvironmentVariable("PAPERS_CLUSTER_TEST_PAPERS"), out var n) && n > 0 ? n : int.MaxValue);

    private readonly ClusterInfrastructure _infra;
    private readonly ITestOutputHelper _output;
    private readonly RabbitMqManagement _management;
    private readonly Dictionary<string, ServiceProcess> _services = [];
    private readonly List<ServiceProcess> _commands = [];
    private readonly string _id;
    private readonly string _logDirectory;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ClusterUnderTest(ClusterInfrastructure infra, ITestOutputHelper output, string name)
    {
        _infra = infra;
        _output = output;
        _id = $"{name.ToLowerInvariant()}_{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 40)];
        Vhost = $"papers-{_id}";
        _management = new RabbitMqManagement(infra.Management, infra.Amqp);
        _logDirectory = Path.Combine(Path.GetTempPath(), "papers-cluster-tests", _id);
        Directory.CreateDirectory(_logDirectory);
        foreach (var service in Services)
            _ports[service] = ServiceProcess.FreePort();
    }

    private readonly Dictionary<string, int> _ports = [];

    public string Vhost { get; }

    /// <summary>Where the processes' logs (and anything else a scenario writes) go.</summary>
    public string LogDirectory => _logDirectory;

    public RabbitMqManagement Management => _management;

    public ServiceProcess this[string service] => _services[service];

    public Uri Api => _services["Api"].BaseUri;

    public string Database(string service) => $"papers_{_id}_{service.ToLowerInvariant()}";

    public string ConnectionString(string service) => $"{_infra.Postgres};Database={Database(service)}";

    /// <summary>The tests' own connections: unpooled, so none is left broken by a PostgreSQL restart.</summary>
    private string TestConnectionString(string service) => ConnectionString(service) + ";Pooling=false";

    public void Log(string message) => _output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0} s] {message}");

    private Dictionary<string, string?> Environment(string service)
    {
        var amqp = new UriBuilder(_infra.Amqp) { Path = "/" + Uri.EscapeDataString(Vhost) }.Uri.ToString();
        var env = new Dictionary<string, string?>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Messaging__Transport"] = "RabbitMq",
            ["ConnectionStrings__RabbitMq"] = amqp,
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Papers"] = ConnectionString(service),
            ["ConnectionStrings__Identity"] = ConnectionString("Identity"),
            // The tests poll the Api far faster than a person would; the limits have their own tests.
            ["RateLimits__Enabled"] = "false",
            ["Services__Enrichment"] = $"http://127.0.0.1:{_ports["Enrichment"]}",
            ["Embedding__MaxTokens"] = "128",
            ["Embedding__AnnounceEvery"] = "00:00:05",
            ["Digests__Cron"] = "",
            ["Logging__LogLevel__Default"] = "Warning",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
        };
        if (_infra.Smtp is { } smtp)
        {
            env["Mail__Transport"] = "Smtp";
            env["Mail__Smtp__Host"] = smtp.Split(':')[0];
            env["Mail__Smtp__Port"] = smtp.Split(':')[1];
        }
        else
        {
            env["Mail__PickupDirectory"] = Path.Combine(_logDirectory, "mail");
        }
        return env;
    }

    public async Task StartAsync()
    {
        await _management.CreateVhostAsync(Vhost);
        foreach (var service in Services)
        {
            var process = new ServiceProcess(service, Path.Combine(_logDirectory, $"{service.ToLowerInvariant()}.log"), Environment(service), _ports[service]);
            _services[service] = process;
            process.Start();
        }
        await Task.WhenAll(_services.Values.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(180))));
        Log($"cluster ready: vhost {Vhost}, logs in {_logDirectory}, infrastructure: {_infra.Description}");
    }

    public void Kill(string service)
    {
        _services[service].Kill();
        Log($"killed {service} (SIGKILL)");
    }

    public async Task RestartAsync(string service)
    {
        _services[service].Start();
        await _services[service].WaitReadyAsync(TimeSpan.FromSeconds(180));
        Log($"{service} restarted and ready");
    }

    /// <summary>
    /// Starts <c>Papers.Ingest.dll backfill</c> with Ingest's configuration. With
    /// <paramref name="waitForApi"/> it also waits until the Api has every paper enriched; without,
    /// it ends once every event is published.
    /// </summary>
    public ServiceProcess StartBackfill(bool waitForApi = true, int timeoutSeconds = 420, int? papers = null)
    {
        var limit = papers ?? Papers;
        string[] args = ["backfill", PapersFile, "--limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--timeout", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (waitForApi)
            args = [.. args, "--api", Api.ToString()];
        var backfill = new ServiceProcess("Ingest", Path.Combine(_logDirectory, $"backfill-{_commands.Count + 1}.log"), Environment("Ingest"), null, args);
        _commands.Add(backfill);
        backfill.Start();
        Log("backfill started");
        return backfill;
    }

    public async Task<int> FinishBackfillAsync(ServiceProcess backfill)
    {
        var code = await backfill.WaitForExitAsync(TimeSpan.FromSeconds(480));
        Log($"backfill exited {code}: {backfill.Tail(3).ReplaceLineEndings(" | ")}");
        return code;
    }

    public async Task<Stats> StatsAsync()
    {
        using var http = new HttpClient { BaseAddress = Api, Timeout = TimeSpan.FromSeconds(10) };
        return (await http.GetFromJsonAsync<Stats>("api/stats"))!;
    }

    /// <summary>Waits until the Api's read model has at least <paramref name="enriched"/> enriched papers.</summary>
    public Task WaitForEnrichedAsync(int enriched, TimeSpan timeout) =>
        Eventually.UntilAsync(StatsAsync, s => s.Enriched >= enriched, timeout, $"at least {enriched} papers enriched in the Api");

    /// <summary>Rows in the Api's papers and enrichments tables (they fill independently: the two events travel separately).</summary>
    public async Task<Progress> ProgressAsync() =>
        new(await CountAsync("Api", "SELECT count(*) FROM papers"), await CountAsync("Api", "SELECT count(*) FROM enrichments"));

    /// <summary>
    /// Waits until the backfill is part-way (by <paramref name="reached"/>), and fails if it had
    /// already finished: a fault injected then would prove nothing.
    /// </summary>
    public async Task<Progress> WaitUntilPartWayAsync(Func<Progress, bool> reached, string what)
    {
        var progress = await Eventually.UntilAsync(ProgressAsync, reached, TimeSpan.FromMinutes(4), what, TimeSpan.FromMilliseconds(100));
        Log($"part-way ({what}): {progress}");
        Assert.True(progress.Papers < Papers || progress.Enrichments < Papers, $"the backfill had already finished ({progress}) when the fault was due");
        return progress;
    }

    public async Task<long> CountAsync(string service, string sql)
    {
        await using var connection = new NpgsqlConnection(TestConnectionString(service));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<string>> PaperIdsAsync()
    {
        await using var connection = new NpgsqlConnection(TestConnectionString("Ingest"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "PaperId" FROM seen_papers""", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
            ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>
    /// Every paper Ingest has seen is in the Api exactly once and enriched for its current content;
    /// one enrichment row per paper; no event left in an outbox; no error queue holds anything
    /// (other than <paramref name="expectedErrors"/>).
    /// </summary>
    public async Task AssertEveryPaperOnceAsync(int expected, IReadOnlyDictionary<string, int>? expectedErrors = null)
    {
        var ids = await PaperIdsAsync();
        Assert.Equal(expected, ids.Count);
        using var http = new HttpClient { BaseAddress = Api, Timeout = TimeSpan.FromSeconds(30) };
        int found = 0, enriched = 0;
        foreach (var chunk in ids.Chunk(1000))
        {
            using var response = await http.PostAsJsonAsync("api/papers/status", new { ids = chunk });
            response.EnsureSuccessStatusCode();
            var status = (await response.Content.ReadFromJsonAsync<PaperStatus>())!;
            found += status.Found;
            enriched += status.Enriched;
        }
        Assert.Equal(expected, found);
        Assert.Equal(expected, enriched);
        Assert.Equal(expected, await CountAsync("Api", "SELECT count(*) FROM papers"));
        Assert.Equal(expected, await CountAsync("Api", "SELECT count(DISTINCT \"PaperId\") FROM papers"));
        Assert.Equal(expected, await CountAsync("Api", "SELECT count(*) FROM enrichments"));
        Assert.Equal(0, await CountAsync("Ingest", """SELECT count(*) FROM outbox_messages WHERE "SentAt" IS NULL"""));

        var errors = await ErrorQueuesAsync();
        var expectedOrNone = expectedErrors ?? new Dictionary<string, int>();
        foreach (var (queue, count) in errors)
            Assert.True(expectedOrNone.GetValueOrDefault(queue) == count, $"{queue} holds {count} message(s); expected {expectedOrNone.GetValueOrDefault(queue)}");
        foreach (var (queue, count) in expectedOrNone)
            Assert.True(errors.GetValueOrDefault(queue) == count, $"{queue} holds {errors.GetValueOrDefault(queue)} message(s); expected {count}");
        Log($"verified: {expected} papers, each once in the Api and enriched once; error queues: {(errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Key}={e.Value}")))}");
    }

    /// <summary>Messages in each <c>*_error</c> queue of the vhost, counted by reading them (the management counters lag).</summary>
    public async Task<Dictionary<string, int>> ErrorQueuesAsync()
    {
        var result = new Dictionary<string, int>();
        foreach (var queue in (await _management.QueuesAsync(Vhost)).Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal)))
        {
            var messages = await _management.PeekAsync(Vhost, queue.Name, 1000);
            if (messages.Count > 0)
                result[queue.Name] = messages.Count;
        }
        return result;
    }

    /// <summary>Runs a scenario; on failure, prints the tail of every process log first.</summary>
    public async Task RunAsync(Func<Task> scenario)
    {
        try
        {
            await scenario();
        }
        catch
        {
            foreach (var p in _services.Values.Concat(_commands))
                _output.WriteLine($"---- {Path.GetFileName(p.LogPath)} (tail) ----{System.Environment.NewLine}{p.Tail()}");
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _services.Values.Concat(_commands))
            p.Dispose();
        try
        {
            await _management.DeleteVhostAsync(Vhost);
            await using var connection = new NpgsqlConnection(_infra.Postgres + ";Database=postgres;Pooling=false");
            await connection.OpenAsync();
            foreach (var service in Services.Append("Identity"))
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Database(service)}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
        catch (Exception e) when (e is HttpRequestException or NpgsqlException or TaskCanceledException)
        {
            _output.WriteLine($"clean-up of {Vhost} incomplete: {e.Message}");
        }
        _management.Dispose();
    }

    public sealed record Progress(long Papers, long Enrichments);

    public sealed record Stats(int Papers, int Enriched, int Indexed, string? LatestListedOn, Reenrichment Reenrichment);

    public sealed record Reenrichment(string? EmbeddingModel, int OtherModel, int InFlight, int GivenUp);

    private sealed record PaperStatus(int Requested, int Found, int Enriched, IReadOnlyList<string> MissingSample);
}
