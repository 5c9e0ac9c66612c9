using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Papers.Notifications.Mail;
using Papers.ServiceDefaults.Data;

namespace Papers.Local;

/// <summary>Says where the platform is once it listens: the page, the API document, the data and the mail folder.</summary>
public sealed class StartupBanner(IHostApplicationLifetime lifetime, IServer server, IConfiguration configuration,
    IOptions<MailOptions> mail, ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "(unknown address)";
            var data = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
            logger.LogInformation(
                "Papers is running at {Address} — web page {Address}/, API document {Address}/openapi/v1.json; data in {Data}; digests written to {Mail}",
                address, address, address, Path.GetFullPath(data.DataDirectory), Path.GetFullPath(mail.Value.PickupDirectory));
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
