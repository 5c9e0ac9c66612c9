using MassTransit;
using Papers.Notifications.Apis;
using Papers.Notifications.Consumers;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Library;
using Papers.Notifications.Mail;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Notifications;

public static class Extensions
{
    /// <summary>Notifications: subscribers, digest composition and scheduling, and the mail transport.</summary>
    /// <remarks>
    /// Needs an <see cref="ITextEmbedder"/> from the host (for topic vectors), and an
    /// <see cref="ILibraryRecommendations"/> (the Api's "for you", for "for you" digests).
    /// </remarks>
    public static ServiceModule AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDbContext<NotificationsDbContext>("Notifications");
        builder.AddOutbox<NotificationsDbContext>();
        builder.Services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.Section)
            .Validate(o => o.MaxPapers is >= 1 and <= 100, "Digests:MaxPapers must be between 1 and 100.")
            .Validate(o => o.BatchSize is >= 1 and <= 10_000, "Digests:BatchSize must be between 1 and 10000.")
            .ValidateOnStart();
        builder.Services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section)
            .Validate(o => o.Connections is >= 1 and <= 64, "Mail:Connections must be between 1 and 64.")
            .Validate(o => o.PauseAfterPermanentFailures >= 1, "Mail:PauseAfterPermanentFailures must be at least 1.")
            .ValidateOnStart();
        // The mail transport is chosen here and nowhere else.
        var transport = builder.Configuration.GetSection(MailOptions.Section).Get<MailOptions>()?.Transport ?? MailTransport.Pickup;
        if (transport == MailTransport.Smtp)
            builder.Services.AddSingleton<IMailSender, SmtpMailSender>();
        else
            builder.Services.AddSingleton<IMailSender, PickupDirectoryMailSender>();
        builder.Services.AddSingleton<SubscriptionLinks>();
        builder.Services.AddScoped<LibraryDigests>();
        builder.Services.AddScoped<DigestComposer>();
        builder.Services.AddScoped<DigestRunner>();
        builder.Services.AddSingleton<DigestMailer>();
        builder.Services.AddScoped<DigestPreviews>();
        builder.Services.AddHostedService<DigestScheduler>();

        return builder.AddModule(new ServiceModule("Notifications",
            bus =>
            {
                bus.AddConsumer<CollectDigestCandidateConsumer>();
                bus.AddConsumer<CountUpvotesConsumer>();
                bus.AddConsumer<LinkAccountConsumer>();
            }, typeof(ITextEmbedder), typeof(ILibraryRecommendations)));
    }

    public static WebApplication MapNotifications(this WebApplication app)
    {
        app.MapSubscriptionsApi();
        app.MapSubscribeForm();
        app.MapSubscriptionPages();
        return app;
    }
}
