using System.Net;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Papers.Contracts;
using Papers.Notifications.Data;
using Papers.Notifications.Library;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Messaging;
using Papers.TestSupport;

namespace Papers.Notifications.Tests;

/// <summary>
/// The link events over a real broker into the Notifications host as its Program.cs composes it, on
/// PostgreSQL migrated with the checked-in migrations: <c>AccountEmailChanged</c> and
/// <c>AccountDeleted</c> reach its queue through their exchanges (the contracts' namespace), and the
/// subscription of the verified address is linked, then untied and its "for you" digest paused.
/// </summary>
public sealed class AccountLinkBrokerTests : IAsyncLifetime
{
    private BrokerAndDatabases<NotificationsDbContext>? _servers;

    public async Task InitializeAsync() => _servers = await BrokerAndDatabases<NotificationsDbContext>.CreateAsync("notifications");

    public async Task DisposeAsync()
    {
        if (_servers is not null)
            await _servers.DisposeAsync();
    }

    [RabbitMqFact]
    public async Task A_verified_address_links_over_the_broker_and_a_deletion_unties_it()
    {
        var email = $"ada-{Guid.NewGuid():N}@example.org";
        var subscriber = Samples.Subscriber(email, DateTime.UtcNow, s => (s.Topics, s.Kind) = ([], DigestKind.ForYou));
        await using (var db = _servers!.Database.Context())
        {
            db.Subscribers.Add(subscriber);
            await db.SaveChangesAsync();
        }
        await using var app = await StartAsync();
        var bus = app.Services.GetRequiredService<IBus>();
        var account = Guid.NewGuid();

        await bus.Publish(new AccountEmailChanged(account, email.ToUpperInvariant(), DateTimeOffset.UtcNow));
        await Eventually.UntilAsync(() => LinkedAsync(email), a => a == account, TimeSpan.FromSeconds(30), "the link over the broker");

        await bus.Publish(new AccountDeleted(account, DateTimeOffset.UtcNow));
        await Eventually.UntilAsync(() => LinkedAsync(email), a => a is null, TimeSpan.FromSeconds(30), "the deletion over the broker");
        await using var check = _servers.Database.Context();
        var kept = await check.Subscribers.AsNoTracking().SingleAsync(s => s.Id == subscriber.Id);
        Assert.True(kept.Active);
        Assert.NotNull(kept.PausedAt);
    }

    private async Task<Guid?> LinkedAsync(string email)
    {
        await using var db = _servers!.Database.Context();
        return await AccountLinks.ForAsync(db, email, default);
    }

    private async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "Papers.Notifications" });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:RabbitMq"] = _servers!.RabbitMq,
            ["Database:Provider"] = "Postgres",
            ["Database:MigrateOnStart"] = "false",
            ["ConnectionStrings:Notifications"] = _servers.Database.ConnectionString,
            ["ConnectionStrings:Identity"] = _servers.Identity.ConnectionString,
            ["Digests:WakeEvery"] = "00:00:00",
            ["Services:Enrichment"] = "http://127.0.0.1:9",
            ["Services:Api"] = "http://127.0.0.1:9",
        });
        // As services/Notifications/Program.cs composes it.
        builder.AddServiceDefaults();
        builder.AddEnrichmentClient(EmbedBudget.Batch);
        builder.AddApiLibraryClient();
        var notifications = builder.AddNotifications();
        builder.AddMessaging(notifications);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapNotifications();
        await app.StartAsync();
        return app;
    }
}
