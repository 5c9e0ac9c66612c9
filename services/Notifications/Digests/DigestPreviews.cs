using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Notifications.Data;
using Papers.Notifications.Mail;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Digests;

public record PreviewEntry(string PaperId, string? Title, string Url, string Reason);

/// <param name="Period">The period the digest is for: the current one while it is due and not yet sent, else the next (a new subscriber's first is at their next hour).</param>
/// <param name="DueAt">When it falls (or fell) due.</param>
/// <param name="Entries">The papers it would hold if chosen now, each with its reason; empty: it would not be sent.</param>
public record DigestPreview(string Period, DateTimeOffset DueAt, IReadOnlyList<PreviewEntry> Entries);

/// <summary>
/// A subscriber's next digest as it would be chosen now, without claiming or sending anything: as
/// data (<see cref="PreviewAsync"/>) or as the mail's HTML part, rendered as a run would send it
/// (<see cref="HtmlAsync"/>).
/// </summary>
public sealed class DigestPreviews(NotificationsDbContext db, DigestComposer composer, SubscriptionLinks links, IOptions<MailOptions> mail,
    IOptions<PublicSiteOptions> site, TimeProvider clock)
{
    public async Task<DigestPreview> PreviewAsync(Subscriber subscriber, CancellationToken cancellationToken)
    {
        var (period, entries) = await ChooseAsync(subscriber, cancellationToken);
        return new DigestPreview(period.Key, period.DueAt,
            [.. entries.Select(e => new PreviewEntry(e.Paper.PaperId, e.Paper.Title, site.Value.Link(DigestRenderer.PaperPath(e.Paper.PaperId)), e.Reason))]);
    }

    /// <summary>The HTML part of the digest mail as a run would write it now (its links, reasons and unsubscribe footer included).</summary>
    public async Task<string> HtmlAsync(Subscriber subscriber, CancellationToken cancellationToken)
    {
        var (period, entries) = await ChooseAsync(subscriber, cancellationToken);
        var delivery = new Delivery
        {
            SubscriberId = subscriber.Id,
            Period = period.Key,
            MessageId = DigestRenderer.MessageId(subscriber.Id, period.Key, mail.Value),
            PaperIds = [.. entries.Select(e => e.Paper.PaperId)],
            Reasons = [.. entries.Select(e => e.Reason)],
            ClaimedAt = clock.GetUtcNow().UtcDateTime,
            Transport = "preview",
        };
        var message = DigestRenderer.Render(subscriber, delivery, [.. entries.Select(e => new DigestLine(e.Paper, e.Reason))],
            links.ManagePageUrl(subscriber), mail.Value, site.Value);
        return message.HtmlBody ?? "";
    }

    private async Task<(DigestPeriod Period, IReadOnlyList<DigestEntry> Entries)> ChooseAsync(Subscriber subscriber, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var period = DigestSchedule.Due(subscriber, now) is { } due && !await db.Deliveries.AnyAsync(d => d.SubscriberId == subscriber.Id && d.Period == due.Key, cancellationToken)
            ? due
            : DigestSchedule.Next(subscriber, now);
        return (period, await composer.ComposeAsync(subscriber, cancellationToken));
    }
}
