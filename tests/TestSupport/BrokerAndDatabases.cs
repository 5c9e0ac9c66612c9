using Microsoft.EntityFrameworkCore;
using Papers.ServiceDefaults.Security;

namespace Papers.TestSupport;

/// <summary>
/// What a service host on real servers needs for one test: a RabbitMQ vhost of its own on the broker
/// of <c>PAPERS_TEST_RABBITMQ</c>, a fresh migrated PostgreSQL database of the service and one of the
/// shared identity store; all removed on dispose. Null from <see cref="CreateAsync"/> when those
/// servers are not configured (the test is then skipped by <see cref="RabbitMqFactAttribute"/>).
/// </summary>
public sealed class BrokerAndDatabases<TContext> : IAsyncDisposable
    where TContext : DbContext
{
    private readonly RabbitMqManagement _management;

    private BrokerAndDatabases(RabbitMqManagement management, string vhost, Uri amqp, PostgresTestDatabase<TContext> database, PostgresTestDatabase<AccessDbContext> identity) =>
        (_management, Vhost, RabbitMq, Database, Identity) = (management, vhost, new UriBuilder(amqp) { Path = "/" + Uri.EscapeDataString(vhost) }.Uri.ToString(), database, identity);

    public RabbitMqManagement Management => _management;

    public string Vhost { get; }

    /// <summary><c>ConnectionStrings:RabbitMq</c> of the vhost.</summary>
    public string RabbitMq { get; }

    public PostgresTestDatabase<TContext> Database { get; }

    public PostgresTestDatabase<AccessDbContext> Identity { get; }

    public static async Task<BrokerAndDatabases<TContext>?> CreateAsync(string prefix)
    {
        if (Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ") is not { } amqp || Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ_MANAGEMENT") is not { } management
            || Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable) is null)
            return null;
        var vhost = $"{prefix}-{Guid.NewGuid():N}";
        var broker = new RabbitMqManagement(new Uri(management), new Uri(amqp));
        await broker.CreateVhostAsync(vhost);
        return new(broker, vhost, new Uri(amqp), await PostgresTestDatabase<TContext>.CreateAsync(), await PostgresTestDatabase<AccessDbContext>.CreateAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _management.DeleteVhostAsync(Vhost);
        _management.Dispose();
        await Database.DisposeAsync();
        await Identity.DisposeAsync();
    }
}
