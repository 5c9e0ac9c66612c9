using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Contracts;
using Papers.Notifications.Data;
using Papers.Notifications.Mail;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Digests;

public record DigestRunSummary(int Subscribers, int Sent, int Empty, int Failed);

/// <summary>
/// Sends every active subscriber their digest. A delivery is recorded (with its <see cref="DigestSent"/>
/// event) only after the mail transport accepted it, so a failed send is retried on the next run.
/// A run holds the service's <c>digests</c> lease from start to end, so runs on different replicas
/// (scheduled, or asked for by an operator) never overlap: two at once would both find every
/// subscriber due and mail each twice. A scheduled run names its occurrence (the cron time), and
/// a replica that gets the lease after another finished that occurrence skips it.
/// </summary>
public sealed class DigestRunner(NotificationsDbContext db, DigestComposer composer, IMailSender sender, ClusterLease<NotificationsDbContext> lease,
    IOptions<MailOptions> mail, IOptions<PublicSiteOptions> site, TimeProvider clock, ILogger<DigestRunner> logger)
{
    public const string Job = "digests";

    /// <summary>
    /// Runs the digests unless another run holds the lease (<see cref="LeaseOutcome.Busy"/>) or
    /// <paramref name="occurrence"/> was done already (<see cref="LeaseOutcome.AlreadyDone"/>).
    /// </summary>
    /// <param name="occurrence">The scheduled time's key (<see cref="Occurrences.At"/>), or null for a run asked for now.</param>
    public Task<LeaseResult<DigestRunSummary>> RunAsync(string? occurrence, CancellationToken cancellationToken) =>
        lease.RunOnceAsync(Job, occurrence, SendAllAsync, cancellationToken);

    private async Task<DigestRunSummary> SendAllAsync(CancellationToken cancellationToken)
    {
        var subscribers = await db.Subscribers.Where(s => s.Active && s.ConfirmedAt != null).OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        int sent = 0, empty = 0, failed = 0;
        foreach (var subscriber in subscribers)
        {
            var startedAt = clock.GetUtcNow();
            var entries = await composer.ComposeAsync(subscriber, cancellationToken);
            if (entries.Count == 0)
            {
                empty++;
                continue;
            }
            try
            {
                await sender.SendAsync(DigestRenderer.Render(subscriber, entries, mail.Value, site.Value, startedAt), cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed++;
                logger.LogWarning(ex, "Digest for subscriber {Subscriber} could not be sent; it will be retried on the next run", subscriber.Id);
                continue;
            }
            var paperIds = entries.Select(e => e.Paper.PaperId).ToList();
            db.Deliveries.Add(new Delivery { Id = Guid.NewGuid(), SubscriberId = subscriber.Id, PaperIds = paperIds, SentAt = startedAt, Transport = sender.Transport });
            subscriber.LastDigestAt = startedAt.UtcDateTime;
            db.AddToOutbox(new DigestSent(Guid.NewGuid(), subscriber.Id, subscriber.Topics, paperIds, startedAt), clock);
            // Not the caller's token: the mail went out, so its delivery must be recorded.
            await db.SaveChangesAsync(CancellationToken.None);
            sent++;
        }
        logger.LogInformation("Digest run: {Subscribers} subscribers, {Sent} sent, {Empty} with nothing new, {Failed} failed", subscribers.Count, sent, empty, failed);
        return new DigestRunSummary(subscribers.Count, sent, empty, failed);
    }
}
