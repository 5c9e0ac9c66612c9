using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Mail;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Security;
using Papers.TestSupport;

namespace Papers.Notifications.Tests;

/// <summary>One Notifications replica's digest pieces, composed as <c>AddNotifications</c> does, on a test database and a chosen clock and mail transport.</summary>
public static class DigestHost
{
    public static readonly PublicSiteOptions Site = new() { BaseUrl = "https://papers.example.org" };

    public static ServiceProvider Build(TestDatabase<NotificationsDbContext> database, IMailSender sender, TimeProvider clock, ITextEmbedder embedder,
        MailOptions mail, DigestOptions? digests = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(clock);
        services.AddDbContext<NotificationsDbContext>(o => database.Configure(o));
        services.AddClusterLease<NotificationsDbContext>(database.ReplicaLocks());
        services.AddDataProtection().SetApplicationName("papers-tests");
        services.AddSingleton(embedder);
        services.AddSingleton(sender);
        services.AddSingleton(Options.Create(mail));
        services.AddSingleton(Options.Create(Site));
        services.AddSingleton(Options.Create(digests ?? new DigestOptions { MinTopicSimilarity = 0.3 }));
        services.AddSingleton<SubscriptionLinks>();
        services.AddScoped<DigestComposer>();
        services.AddScoped<DigestRunner>();
        services.AddScoped<DigestPreviews>();
        services.AddSingleton<DigestMailer>();
        return services.BuildServiceProvider();
    }

    public static DigestRunner Runner(IServiceProvider replica) => replica.CreateScope().ServiceProvider.GetRequiredService<DigestRunner>();
}
