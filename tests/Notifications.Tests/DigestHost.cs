using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Library;
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
        MailOptions mail, DigestOptions? digests = null, ILibraryRecommendations? library = null)
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
        services.AddSingleton(library ?? new Libraries());
        services.AddScoped<LibraryDigests>();
        services.AddScoped<DigestComposer>();
        services.AddScoped<DigestRunner>();
        services.AddScoped<DigestPreviews>();
        services.AddSingleton<DigestMailer>();
        return services.BuildServiceProvider();
    }

    public static DigestRunner Runner(IServiceProvider replica) => replica.CreateScope().ServiceProvider.GetRequiredService<DigestRunner>();
}

/// <summary>
/// The Api's libraries as these tests need them: each account's "for you" as a fixed list (the
/// recommender itself is tested in Api.Tests, and with the real Api in EndToEnd.Tests'
/// ForYouDigestTests); <see cref="Down"/> makes the Api unreachable.
/// </summary>
public sealed class Libraries : ILibraryRecommendations
{
    public Dictionary<Guid, List<LibraryPick>> ForYou { get; } = [];

    public bool Down { get; set; }

    public int Calls { get; private set; }

    public Task<IReadOnlyList<LibraryPick>?> RecommendAsync(Guid account, Guid? collection, int limit, CancellationToken cancellationToken)
    {
        Calls++;
        if (Down)
            throw new HttpRequestException("Connection refused (the test's Api is down)");
        return Task.FromResult<IReadOnlyList<LibraryPick>?>(ForYou.TryGetValue(account, out var picks) ? [.. picks.Take(limit)] : null);
    }

    public Task<IReadOnlyList<LibraryCollection>?> CollectionsAsync(Guid account, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LibraryCollection>?>(ForYou.ContainsKey(account) ? [] : null);
}
