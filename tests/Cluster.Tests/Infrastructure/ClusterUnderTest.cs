using System.Diagnostics;
using System.Net.Http.Json;
using Npgsql;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests.Infrastructure;

/// <summary>
/// The four services as separate processes over a fresh RabbitMQ vhost and fresh databases (one
/// per service, shared by its replicas) on the shared servers, each service as N replicas (their
/// own ports and log files); everything it made is removed on dispose. The services log every
/// message a consumer receives and every event the Api's read model applies
/// (<see cref="MessageLog"/>), which is how "once" is measured.
/// </summary>
public sealed class ClusterUnderTest : IAsyncDisposable
{
    public static readonly string[] Services = ["Enrichment", "Api", "Ingest", "Notifications"];

    /// <summary>Services a scenario starts only when <c>replicasOf</c> names them (the archive would add nothing to the other scenarios but load).</summary>
    private static readonly string[] OptIn = ["Analytics"];

    private static readonly string[] Startable = [.. Services, .. OptIn];

    public static string PapersFile => Path.Combine(AppContext.BaseDirectory, "Data", "papers.jsonl");

    /// <summary>
    /// Papers per backfill: every paper of the file (812), or the first PAPERS_CLUSTER_TEST_PAPERS
    /// of them on a machine too busy for that.
    /// </summary>
    public static int Papers { get; } = Math.Min(
        File.ReadLines(PapersFile).Count(l => !string.IsNullOrWhiteSpace(l)),
        int.TryParse(System.Environment.GetEnvironmentVariable("PAPERS_CLUSTER_TEST_PAPERS"), out var n) && n > 0 ? n : int.MaxValue);

    /// <summary>At most <paramref name="preferred"/> papers (fewer with PAPERS_CLUSTER_TEST_PAPERS): for scenarios that need fewer than the whole file.</summary>
    public static int PapersUpTo(int preferred) => Math.Min(Papers, preferred);

    /// <summary>
    /// Applied entries a SIGKILLed Api replica may take with it: the kill can land between the
    /// database commit and the log call, or before the console logger's queue reaches the file,
    /// and the redelivery then finds the change made and logs nothing. Seen: a replica killed 0.4 s
    /// after it received a PaperIngested (the paper was in, with no entry anywhere); and, on a
    /// busy machine, the last 0.5 s of a replica's log lost with 6 entries in it. Up to a prefetch's
    /// worth (32) may go that way. Only the "every read-model row has its entry" guard allows for
    /// these (it is there to catch logging that is off: then every row lacks its entry); a
    /// duplicate is a duplicate.
    /// </summary>
    public const int UnloggedPerKill = 32;

    private readonly ClusterInfrastructure _infra;
    private readonly ITestOutputHelper _output;
    private readonly RabbitMqManagement _management;
    private readonly Dictionary<string, ServiceProcess[]> _services = [];
    private readonly Dictionary<string, int[]> _ports = [];
    private readonly Dictionary<string, int> _kills = [];
    private readonly List<ServiceProcess> _commands = [];
    private readonly string _id;
    private readonly string _logDirectory;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly DateTime _createdAt = DateTime.UtcNow;
    private MailSink? _mail;

    /// <param name="replicas">Replicas of every service.</param>
    /// <param name="replicasOf">Another number for some services (0: not started).</param>
    public ClusterUnderTest(ClusterInfrastructure infra, ITestOutputHelper output, string name, int replicas = 1, IReadOnlyDictionary<string, int>? replicasOf = null)
    {
        _infra = infra;
        _output = output;
        _id = $"{name.ToLowerInvariant()}_{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 40)];
        Vhost = $"papers-{_id}";
        _management = new RabbitMqManagement(infra.Management, infra.Amqp);
        _logDirectory = Path.Combine(Path.GetTempPath(), "papers-cluster-tests", _id);
        Directory.CreateDirectory(_logDirectory);
        foreach (var service in Startable)
        {
            var byDefault = OptIn.Contains(service) ? 0 : replicas;
            _ports[service] = [.. Enumerable.Range(0, replicasOf?.GetValueOrDefault(service, byDefault) ?? byDefault).Select(_ => ServiceProcess.FreePort())];
        }
    }

    public string Vhost { get; }

    /// <summary>Configuration every service process gets on top of the defaults below; set before <see cref="StartAsync"/>.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>Where the processes' logs (and anything else a scenario writes) go.</summary>
    public string LogDirectory => _logDirectory;

    public RabbitMqManagement Management => _management;

    /// <summary>The first replica of <paramref name="service"/>.</summary>
    public ServiceProcess this[string service] => _services[service][0];

    public IReadOnlyList<ServiceProcess> Replicas(string service) => _services[service];

    /// <summary>A replica's name in logs and messages: <c>api-2</c>.</summary>
    public static string ReplicaName(string service, int replica) => $"{service.ToLowerInvariant()}-{replica + 1}";

    /// <summary>An Api replica that is running (the first one, unless it was killed): backfill waits and status calls go there.</summary>
    public Uri Api => (_services["Api"].FirstOrDefault(p => !p.HasExited && !p.IsPaused) ?? _services["Api"][0]).BaseUri;

    public string Database(string service) => $"papers_{_id}_{service.ToLowerInvariant()}";

    public string ConnectionString(string service) => $"{_infra.Postgres};Database={Database(service)}";

    /// <summary>The AMQP URI of this scenario's virtual host.</summary>
    public Uri Amqp => new UriBuilder(_infra.Amqp) { Path = "/" + Uri.EscapeDataString(Vhost) }.Uri;

    /// <summary>Analytics' archive folder (the replicas share it, as a volume in a cluster).</summary>
    public string ArchiveRoot => Path.Combine(_logDirectory, "archive");

    /// <summary>The tests' own connections: unpooled, so none is left broken by a PostgreSQL restart.</summary>
    private string TestConnectionString(string service) => ConnectionString(service) + ";Pooling=false";

    public void Log(string message) => _output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0} s] {message}");

    private Dictionary<string, string?> Environment(string service)
    {
        var amqp = Amqp.ToString();
        var env = new Dictionary<string, string?>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Messaging__Transport"] = "RabbitMq",
            ["ConnectionStrings__RabbitMq"] = amqp,
            ["Database__Provider"] = "Postgres",
            ["Database__MigrateOnStart"] = "false",
            ["ConnectionStrings__Papers"] = ConnectionString(service),
            ["ConnectionStrings__Identity"] = ConnectionString("Identity"),
            // The tests poll the Api far faster than a person would; the limits have their own tests.
            ["RateLimits__Enabled"] = "false",
            // A Kubernetes Service would spread calls over the Enrichment replicas; here they go to the first.
            ["Services__Enrichment"] = $"http://127.0.0.1:{(_ports["Enrichment"] is [var first, ..] ? first : ServiceProcess.FreePort())}",
            ["Embedding__MaxTokens"] = "128",
            ["Embedding__AnnounceEvery"] = "00:00:05",
            ["Digests__WakeEvery"] = "00:00:00",
            ["Analytics__Root"] = ArchiveRoot,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
        };
        foreach (var (key, value) in MessageLog.LoggingEnvironment)
            env[key] = value;
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
        foreach (var (key, value) in Settings)
            env[key] = value;
        return env;
    }

    public async Task StartAsync()
    {
        await _management.CreateVhostAsync(Vhost);
        await MigrateAsync();
        foreach (var service in Startable)
        {
            _services[service] = [.. _ports[service].Select((port, i) =>
                new ServiceProcess(service, Path.Combine(_logDirectory, $"{ReplicaName(service, i)}.log"), Environment(service), port))];
        }
        foreach (var process in _services.Values.SelectMany(p => p))
            process.Start();
        await Task.WhenAll(_services.Values.SelectMany(p => p).Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(240))));
        Log($"cluster ready ({string.Join(", ", _services.Where(s => s.Value.Length > 0).Select(s => $"{s.Key} ×{s.Value.Length}"))}): vhost {Vhost}, logs in {_logDirectory}, infrastructure: {_infra.Description}");
    }

    /// <summary>
    /// Brings the databases to the current schema before any replica starts, as the Helm hook Job
    /// does (<c>migrate</c>); the replicas then start with <c>Database__MigrateOnStart=false</c>, as
    /// in Kubernetes. (Replicas that each migrate on start race each other: see the report of issue 11.)
    /// The first service's run also migrates the identity database the others share; the rest then
    /// run side by side, each on its own database.
    /// </summary>
    private async Task MigrateAsync()
    {
        var services = Startable.Where(s => _ports[s].Length > 0).OrderBy(s => s == "Enrichment").ToList();
        async Task Migrate(string service)
        {
            var migrate = new ServiceProcess(service, Path.Combine(_logDirectory, $"migrate-{service.ToLowerInvariant()}.log"), Environment(service), null, "migrate");
            _commands.Add(migrate);
            migrate.Start();
            var code = await migrate.WaitForExitAsync(TimeSpan.FromSeconds(120));
            Assert.True(code == 0, $"{service} migrate exited {code}: {migrate.Tail(5)}");
        }
        await Migrate(services[0]);
        await Task.WhenAll(services.Skip(1).Select(Migrate));
        Log($"databases migrated ({string.Join(", ", services)})");
    }

    /// <summary>The mails Notifications sent: the SMTP sink's Maildir, or the pickup folder without a sink.</summary>
    public MailSink Mail => _mail ??= new MailSink(
        _infra.Smtp is null ? Path.Combine(_logDirectory, "mail")
            : _infra.Maildir is { } maildir ? Path.Combine(maildir, "new")
            : throw new InvalidOperationException("PAPERS_TEST_SMTP is set but PAPERS_TEST_MAILDIR is not: the tests cannot read what the SMTP sink received (scripts/infra.sh exports both)."),
        _createdAt.AddSeconds(-5));

    /// <summary>
    /// An admin API key, issued as an operator does: <c>Papers.Notifications.dll keys issue</c>
    /// with the services' configuration (the key is the last line it prints).
    /// </summary>
    public async Task<string> IssueAdminKeyAsync()
    {
        var dll = ServiceProcess.Dll("Notifications");
        var (code, stdout, stderr) = await Shell.RunAsync("dotnet", [dll, "keys", "issue", "--name", "cluster-test", "--scopes", "admin"],
            TimeSpan.FromSeconds(120), Environment("Notifications"), Path.GetDirectoryName(dll));
        // Log entries share stdout and may come after it: the key is the last line shaped like one (pk_<id>_<secret>).
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var key = lines.LastOrDefault(l => l.StartsWith("pk_", StringComparison.Ordinal) && !l.Contains(' ', StringComparison.Ordinal)) ?? lines.LastOrDefault();
        Assert.True(code == 0 && key is not null, $"keys issue exited {code}: {stdout} {stderr}");
        Log($"issued an admin key: {stderr.Trim()}");
        return key!;
    }

    /// <summary>SIGKILL to one replica (the first by default).</summary>
    public void Kill(string service, int replica = 0)
    {
        _services[service][replica].Kill();
        _kills[service] = _kills.GetValueOrDefault(service) + 1;
        Log($"killed {ReplicaName(service, replica)} (SIGKILL)");
    }

    public async Task RestartAsync(string service, int replica = 0)
    {
        _services[service][replica].Start();
        await _services[service][replica].WaitReadyAsync(TimeSpan.FromSeconds(180));
        Log($"{ReplicaName(service, replica)} restarted and ready");
    }

    /// <summary>SIGSTOP to one replica: it hangs, holding its connections.</summary>
    public async Task PauseAsync(string service, int replica = 0)
    {
        await _services[service][replica].PauseAsync();
        Log($"paused {ReplicaName(service, replica)} (SIGSTOP)");
    }

    public async Task ResumeAsync(string service, int replica = 0)
    {
        await _services[service][replica].ResumeAsync();
        Log($"resumed {ReplicaName(service, replica)} (SIGCONT)");
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
        var backfill = new ServiceProcess("Ingest", Path.Combine(_logDirectory, $"backfill-{_commands.Count(c => c.Arguments is ["backfill", ..]) + 1}.log"), Environment("Ingest"), null, args);
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
    /// already finished (all <paramref name="total"/> papers, <see cref="Papers"/> unless given): a
    /// fault injected then would prove nothing.
    /// </summary>
    public async Task<Progress> WaitUntilPartWayAsync(Func<Progress, bool> reached, string what, int? total = null)
    {
        var progress = await Eventually.UntilAsync(ProgressAsync, reached, TimeSpan.FromMinutes(4), what, TimeSpan.FromMilliseconds(100));
        Log($"part-way ({what}): {progress}");
        var papers = total ?? Papers;
        Assert.True(progress.Papers < papers || progress.Enrichments < papers, $"the backfill had already finished ({progress}) when the fault was due");
        return progress;
    }

    public async Task<long> CountAsync(string service, string sql)
    {
        await using var connection = new NpgsqlConnection(TestConnectionString(service));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Rows of a query on a service's database, each read by <paramref name="read"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string service, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(TestConnectionString(service));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
            rows.Add(read(reader));
        return rows;
    }

    /// <summary>What every replica's log says was received and applied so far (a killed replica's up to its death, and after its restart).</summary>
    public MessageLog ReadMessageLog() =>
        MessageLog.Read(_services.SelectMany(s => s.Value.Select((p, i) => (ReplicaName(s.Key, i), p.LogPath))));

    private static string ServiceOf(string replica) => Services.First(s => replica.StartsWith(s.ToLowerInvariant() + "-", StringComparison.Ordinal));

    /// <summary>
    /// "Once", measured: summed over every Api replica (and over restarts), exactly one
    /// <c>Applied PaperIngested</c> per (paper, version) and exactly one <c>Applied PaperEnriched</c>
    /// per (paper, content hash, model); and every row of the Api's read model has its entry (so
    /// logging that is off, or a consumer that stopped logging, fails here instead of passing
    /// silently). Duplicate deliveries are allowed (at least once) and reported.
    /// </summary>
    public async Task<MessageLog> AssertAppliedOnceAsync()
    {
        var papers = await QueryAsync("Api", """SELECT "PaperId", "Version", "ContentHash" FROM papers""", r => (PaperId: r.GetString(0), Version: r.GetInt32(1), Hash: r.GetString(2)));
        var enrichments = await QueryAsync("Api", """SELECT "PaperId", "ContentHash", "EmbeddingModel" FROM enrichments""", r => (PaperId: r.GetString(0), Hash: r.GetString(1), Model: r.GetString(2)));
        var allowed = UnloggedPerKill * _kills.GetValueOrDefault("Api");

        // The last entries may still be on their way from a running replica's console to its file.
        var log = ReadMessageLog();
        List<(string PaperId, int Version, string Hash)> unloggedPapers;
        List<(string PaperId, string Hash, string Model)> unloggedEnrichments;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var paperKeys = log.AppliedPapers.Select(a => (a.PaperId, a.Version)).ToHashSet();
            var enrichmentKeys = log.AppliedEnrichments.Select(a => (a.PaperId, a.ContentHash, a.EmbeddingModel)).ToHashSet();
            unloggedPapers = [.. papers.Where(p => !paperKeys.Contains((p.PaperId, p.Version)))];
            unloggedEnrichments = [.. enrichments.Where(e => !enrichmentKeys.Contains((e.PaperId, e.Hash, e.Model)))];
            if (unloggedPapers.Count + unloggedEnrichments.Count <= allowed || waited.Elapsed > TimeSpan.FromSeconds(15))
                break;
            await Task.Delay(500);
            log = ReadMessageLog();
        }

        static string PerReplica<T>(IEnumerable<T> entries, Func<T, string> replica) =>
            string.Join(", ", entries.GroupBy(replica).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"));
        Log($"applied by the Api: PaperIngested {log.AppliedPapers.Count} ({PerReplica(log.AppliedPapers, a => a.Replica)}), " +
            $"PaperEnriched {log.AppliedEnrichments.Count} ({PerReplica(log.AppliedEnrichments, a => a.Replica)}), for {papers.Count} papers and {enrichments.Count} enrichments in the read model");
        Log($"received: {log.DescribeReceived(ServiceOf)}");

        var paperDuplicates = log.AppliedPapers.GroupBy(a => (a.PaperId, a.Version)).Where(g => g.Count() > 1).ToList();
        var enrichmentDuplicates = log.AppliedEnrichments.GroupBy(a => (a.PaperId, a.ContentHash, a.EmbeddingModel)).Where(g => g.Count() > 1).ToList();
        static string How<T>(IEnumerable<T> entries, Func<T, string> replica, Func<T, string> messageId) =>
            string.Join(", ", entries.Select(e => $"{replica(e)} message {messageId(e)}"))
            + (entries.Select(messageId).Distinct().Count() == 1 ? " (one message delivered again)" : " (different messages)");
        var problems = new List<string>();
        if (paperDuplicates.Count > 0)
            problems.Add($"PaperIngested applied more than once for {paperDuplicates.Count} (paper, version) pair(s), first: " + string.Join("; ",
                paperDuplicates.Take(10).Select(g => $"{g.Key.PaperId} v{g.Key.Version} ×{g.Count()}: {How(g, a => a.Replica, a => a.MessageId)}")));
        if (enrichmentDuplicates.Count > 0)
            problems.Add($"PaperEnriched applied more than once for {enrichmentDuplicates.Count} (paper, content, model) triple(s), first: " + string.Join("; ",
                enrichmentDuplicates.Take(10).Select(g => $"{g.Key.PaperId} {g.Key.ContentHash[..Math.Min(12, g.Key.ContentHash.Length)]} {g.Key.EmbeddingModel} ×{g.Count()}: {How(g, a => a.Replica, a => a.MessageId)}")));
        if (unloggedPapers.Count + unloggedEnrichments.Count > allowed)
            problems.Add($"{unloggedPapers.Count} paper(s) and {unloggedEnrichments.Count} enrichment(s) of the read model have no '{MessageLog.AppliedCategory}' entry " +
                $"(allowed: {allowed}, {UnloggedPerKill} per Api replica killed), e.g. {string.Join(", ", unloggedPapers.Take(3).Select(p => $"{p.PaperId} v{p.Version}").Concat(unloggedEnrichments.Take(3).Select(e => $"{e.PaperId} {e.Model}")))}: " +
                $"is {MessageLog.AppliedCategory} logged at Information (the Api writes one entry per change of its read model)?");
        else if (unloggedPapers.Count + unloggedEnrichments.Count > 0)
            Log($"{unloggedPapers.Count + unloggedEnrichments.Count} read-model row(s) without an applied entry (within the {allowed} a killed replica may take with it): " +
                string.Join(", ", unloggedPapers.Select(p => $"{p.PaperId} v{p.Version}").Concat(unloggedEnrichments.Select(e => $"{e.PaperId} {e.Model}"))));
        Assert.True(problems.Count == 0, string.Join(System.Environment.NewLine, problems));
        return log;
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
    /// Every paper Ingest has seen is in the Api and enriched for its current content; one
    /// enrichment row per paper; each paper's <c>PaperIngested</c> and <c>PaperEnriched</c> applied
    /// exactly once (<see cref="AssertAppliedOnceAsync"/>); no event left in an outbox; no error
    /// queue holds anything (other than <paramref name="expectedErrors"/>).
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
        Assert.Equal(expected, await CountAsync("Api", "SELECT count(*) FROM enrichments"));
        Assert.Equal(0, await CountAsync("Ingest", """SELECT count(*) FROM outbox_messages WHERE "SentAt" IS NULL"""));
        await AssertAppliedOnceAsync();

        var errors = await ErrorQueuesAsync();
        var expectedOrNone = expectedErrors ?? new Dictionary<string, int>();
        foreach (var (queue, count) in errors)
            Assert.True(expectedOrNone.GetValueOrDefault(queue) == count, $"{queue} holds {count} message(s); expected {expectedOrNone.GetValueOrDefault(queue)}");
        foreach (var (queue, count) in expectedOrNone)
            Assert.True(errors.GetValueOrDefault(queue) == count, $"{queue} holds {errors.GetValueOrDefault(queue)} message(s); expected {count}");
        Log($"verified: {expected} papers, each in the Api and enriched, each event applied once; error queues: {(errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Key}={e.Value}")))}");
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
            foreach (var p in _services.Values.SelectMany(p => p).Concat(_commands))
                _output.WriteLine($"---- {Path.GetFileName(p.LogPath)} (tail) ----{System.Environment.NewLine}{p.Tail()}");
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _services.Values.SelectMany(p => p).Concat(_commands))
            p.Dispose();
        try
        {
            await _management.DeleteVhostAsync(Vhost);
            await using var connection = new NpgsqlConnection(_infra.Postgres + ";Database=postgres;Pooling=false");
            await connection.OpenAsync();
            foreach (var service in Startable.Append("Identity"))
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
