using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Papers.Cluster.Tests.Infrastructure;

/// <summary>Stops and starts a server under the running services (for the outage scenarios).</summary>
public interface IServerControl
{
    Task StopAsync();

    Task StartAsync();
}

/// <summary>
/// RabbitMQ and PostgreSQL for the cluster tests, shared by every scenario (each gets its own
/// vhost and databases). With a Docker engine they are Testcontainers; without one, the servers
/// <c>scripts/test.sh</c> (<c>scripts/infra.sh</c>) started and described in PAPERS_TEST_* variables.
/// </summary>
public sealed class ClusterInfrastructure : IAsyncLifetime
{
    public const string RunTheScript =
        "The cluster tests need RabbitMQ (with management) and PostgreSQL: run them through scripts/test.sh, which starts both " +
        "and exports PAPERS_TEST_RABBITMQ, PAPERS_TEST_RABBITMQ_MANAGEMENT and PAPERS_TEST_POSTGRES (and PAPERS_TEST_SMTP, PAPERS_TEST_MAILDIR for its SMTP sink; " +
        "or `source scripts/infra.sh; infra_up` in your shell), " +
        "or run them where a Docker engine is available for Testcontainers.";

    private readonly List<IContainer> _containers = [];

    /// <summary>amqp://user:pass@host:port/ — the tests append a vhost.</summary>
    public Uri Amqp { get; private set; } = null!;

    public Uri Management { get; private set; } = null!;

    /// <summary>Npgsql connection string without Database.</summary>
    public string Postgres { get; private set; } = "";

    /// <summary>host:port of an SMTP sink, when there is one; Notifications writes to a pickup folder otherwise.</summary>
    public string? Smtp { get; private set; }

    /// <summary>The Maildir the SMTP sink delivers into (PAPERS_TEST_MAILDIR), when it is known.</summary>
    public string? Maildir { get; private set; }

    public IServerControl Broker { get; private set; } = null!;

    public IServerControl Database { get; private set; } = null!;

    public string Description { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (await TryTestcontainersAsync())
            return;
        if (FromEnvironment())
            return;
        throw new InvalidOperationException(RunTheScript);
    }

    private bool FromEnvironment()
    {
        var amqp = Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ");
        var management = Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ_MANAGEMENT");
        var postgres = Environment.GetEnvironmentVariable("PAPERS_TEST_POSTGRES");
        if (string.IsNullOrEmpty(amqp) || string.IsNullOrEmpty(management) || string.IsNullOrEmpty(postgres))
            return false;
        Amqp = new Uri(amqp);
        Management = new Uri(management);
        Postgres = postgres;
        Smtp = Environment.GetEnvironmentVariable("PAPERS_TEST_SMTP");
        Maildir = Environment.GetEnvironmentVariable("PAPERS_TEST_MAILDIR") is { Length: > 0 } maildir ? maildir : null;
        Broker = new LocalRabbitMq();
        Database = new LocalPostgres();
        Description = $"local servers from scripts/infra.sh (RabbitMQ {Amqp.Authority}, PostgreSQL {PostgresHostPort(postgres)})";
        return true;
    }

    /// <summary>
    /// Docker first, as the issue asks; without an engine, Build()
    /// throws DockerUnavailableException in a fraction of a second: a cheap probe.
    /// </summary>
    private async Task<bool> TryTestcontainersAsync()
    {
        RabbitMqContainer rabbit;
        PostgreSqlContainer postgres;
        try
        {
            rabbit = new RabbitMqBuilder("rabbitmq:3.13-management-alpine").WithPortBinding(15672, true).Build();
            postgres = new PostgreSqlBuilder("postgres:15-alpine").WithCommand("-c", "max_connections=300", "-c", "fsync=off").Build();
        }
        catch (DockerUnavailableException)
        {
            return false;
        }
        _containers.Add(rabbit);
        _containers.Add(postgres);
        await Task.WhenAll(rabbit.StartAsync(), postgres.StartAsync());
        var amqp = new UriBuilder(rabbit.GetConnectionString()) { Path = "/" };
        Amqp = amqp.Uri;
        Management = new Uri($"http://{rabbit.Hostname}:{rabbit.GetMappedPublicPort(15672)}");
        Postgres = $"Host={postgres.Hostname};Port={postgres.GetMappedPublicPort(5432)};Username=postgres;Password=postgres";
        Broker = new ContainerRabbitMq(rabbit);
        Database = new PausedContainer(postgres);
        Description = "Testcontainers (Docker)";
        return true;
    }

    private static string PostgresHostPort(string connectionString) =>
        string.Join(':', connectionString.Split(';').Where(p => p.StartsWith("Host=", StringComparison.OrdinalIgnoreCase) || p.StartsWith("Port=", StringComparison.OrdinalIgnoreCase)).Select(p => p[5..]));

    public async Task DisposeAsync()
    {
        foreach (var c in _containers)
            await c.DisposeAsync();
    }

    /// <summary>The broker from scripts/infra.sh; its RABBITMQ_* variables reach rabbitmqctl through our environment.</summary>
    private sealed class LocalRabbitMq : IServerControl
    {
        private const string Bin = "/usr/lib/rabbitmq/bin";

        // Generous: on a loaded machine the Erlang CLI has been seen to take over a minute.
        public Task StopAsync() => Shell.RunCheckedAsync($"{Bin}/rabbitmqctl", ["-q", "stop_app"], TimeSpan.FromSeconds(180));

        public async Task StartAsync()
        {
            await Shell.RunCheckedAsync($"{Bin}/rabbitmqctl", ["-q", "start_app"], TimeSpan.FromSeconds(180));
            await Eventually.UntilAsync(async () => (await Shell.RunAsync($"{Bin}/rabbitmq-diagnostics", ["-q", "check_running"], TimeSpan.FromSeconds(20))).ExitCode == 0,
                TimeSpan.FromSeconds(60), "RabbitMQ running again");
        }
    }

    /// <summary>The PostgreSQL from scripts/infra.sh, stopped and started with pg_ctl as the postgres user.</summary>
    private sealed class LocalPostgres : IServerControl
    {
        private static string Env(string name) => Environment.GetEnvironmentVariable(name)
            ?? throw new InvalidOperationException($"{name} is not set; {RunTheScript}");

        private static Task<string> PgCtlAsync(string arguments) =>
            Shell.RunCheckedAsync("su", ["postgres", "-c", $"{Env("PAPERS_POSTGRES_BIN")}/pg_ctl -D {Env("PAPERS_POSTGRES_DATA")} {arguments}"], TimeSpan.FromSeconds(60));

        public Task StopAsync() => PgCtlAsync("stop -m fast -w");

        public Task StartAsync()
        {
            var data = Env("PAPERS_POSTGRES_DATA");
            var log = Path.Combine(Path.GetDirectoryName(data.TrimEnd('/'))!, "log");
            return PgCtlAsync($"-l {log} -w -o '-h 127.0.0.1 -p {Env("PAPERS_POSTGRES_PORT")} -k {Env("PAPERS_POSTGRES_SOCKET")} -c max_connections=300 -c fsync=off' start");
        }
    }

    private sealed class ContainerRabbitMq(IContainer container) : IServerControl
    {
        public Task StopAsync() => container.ExecAsync(["rabbitmqctl", "stop_app"]);

        public async Task StartAsync()
        {
            await container.ExecAsync(["rabbitmqctl", "start_app"]);
            await container.ExecAsync(["rabbitmqctl", "await_startup"]);
        }
    }

    /// <summary>Stopping the postmaster would end the container (and change its port): pause it instead.</summary>
    private sealed class PausedContainer(IContainer container) : IServerControl
    {
        public Task StopAsync() => container.PauseAsync();

        public Task StartAsync() => container.UnpauseAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterInfrastructure>
{
    /// <summary>One collection: the scenarios run one after another (they load the same two cores).</summary>
    public const string Name = "cluster";
}
