using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Notifications.Data;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Digests;

public record PreviewEntry(string PaperId, string? Title, string Url, string Reason);

/// <param name="Period">The period the digest is for: the current one while it is due and not yet sent, else the next (a new subscriber's first is at their next hour).</param>
/// <param name="DueAt">When it falls (or fell) due.</param>
/// <param name="Entries">The papers it would hold if chosen now, each with its reason; empty: it would not be sent.</param>
public record DigestPreview(string Period, DateTimeOffset DueAt, IReadOnlyList<PreviewEntry> Entries);

/// <summary>A subscriber's next digest as it would be chosen now, without claiming or sending anything.</summary>
public sealed class DigestPreviews(NotificationsDbContext db, DigestComposer composer, IOptions<PublicSiteOptions> site, TimeProvider clock)
{
    public async Task<DigestPreview> PreviewAsync(Subscriber subscriber, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var period = DigestSchedule.Due(subscriber, now) is { } due && !await db.Deliveries.AnyAsync(d => d.SubscriberId == subscriber.Id && d.Period == due.Key, cancellationToken)
            ? due
            : DigestSchedule.Next(subscriber, now);
        var entries = await composer.ComposeAsync(subscriber, cancellationToken);
        return new DigestPreview(period.Key, period.DueAt,
            [.. entries.Select(e => new PreviewEntry(e.Paper.PaperId, e.Paper.Title, site.Value.Link(DigestRenderer.PaperPath(e.Paper.PaperId)), e.Reason))]);
    }
}
