using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Notifications.Data;
using Papers.Notifications.Mail;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Leases;

namespace Papers.Notifications.Digests;

/// <param name="Due">Subscribers whose period had no digest yet.</param>
/// <param name="Sent">Digests accepted by the mail transport, resent ones included.</param>
/// <param name="Empty">Due digests with nothing new: not sent.</param>
/// <param name="Failed">Digests that failed in this run (permanently, or for now: those are tried again next run).</param>
/// <param name="Resent">Digests an earlier run claimed but did not finish (it crashed), sent again with their Message-ID.</param>
public record DigestRunSummary(int Due, int Sent, int Empty, int Failed, int Resent);

/// <summary>
/// Sends the digests that are due: each subscriber's at their hour in their time zone, once per
/// period. A run holds the service's <c>digests</c> lease, so one replica sends at a time; the
/// once-per-period guarantee itself is the delivery row claimed (unique per subscriber and period)
/// before anything is sent, with its papers and Message-ID. A run first finishes what a crashed
/// run left claimed or sending — the same papers, the same Message-ID — then chooses, claims and
/// sends the due digests batch by batch.
/// </summary>
public sealed class DigestRunner(NotificationsDbContext db, DigestComposer composer, DigestMailer mailer, IMailSender sender,
    ClusterLease<NotificationsDbContext> lease, IOptions<DigestOptions> options, IOptions<MailOptions> mail, TimeProvider clock, ILogger<DigestRunner> logger)
{
    public const string Job = "digests";

    /// <summary>Sends the due digests unless another run holds the lease (<see cref="LeaseOutcome.Busy"/>).</summary>
    public Task<LeaseResult<DigestRunSummary>> RunAsync(CancellationToken cancellationToken) =>
        lease.RunOnceAsync(Job, null, SendDueAsync, cancellationToken);

    private async Task<DigestRunSummary> SendDueAsync(CancellationToken cancellationToken)
    {
        var resent = await mailer.SendAsync(await UnfinishedAsync(cancellationToken), cancellationToken);

        var now = clock.GetUtcNow();
        var subscribers = await db.Subscribers.AsNoTracking().Where(s => s.Active && s.ConfirmedAt != null && s.PausedAt == null)
            .OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        var periods = subscribers.Select(s => (s.Id, Period: DigestSchedule.Due(s, now))).Where(p => p.Period is not null)
            .ToDictionary(p => p.Id, p => p.Period!.Value.Key);
        var keys = periods.Values.Distinct().ToList();
        var done = (await db.Deliveries.AsNoTracking().Where(d => keys.Contains(d.Period)).Select(d => new { d.SubscriberId, d.Period }).ToListAsync(cancellationToken))
            .Select(d => (d.SubscriberId, d.Period)).ToHashSet();
        var due = subscribers.Where(s => periods.ContainsKey(s.Id) && !done.Contains((s.Id, periods[s.Id]))).ToList();

        var selector = await composer.PrepareAsync(due, cancellationToken);
        int empty = 0, waiting = 0;
        var sent = new MailOutcome(0, 0);
        foreach (var batch in due.Chunk(options.Value.BatchSize))
        {
            var known = await composer.KnownPapersAsync(batch, cancellationToken);
            var letters = new List<DigestLetter>();
            var claims = new List<Delivery>();
            var chosen = await composer.ChooseAsync(selector, batch, known, cancellationToken);
            foreach (var (subscriber, entries) in batch.Zip(chosen))
            {
                if (entries is null)
                {
                    waiting++; // not claimed: the next run chooses it again
                    continue;
                }
                var delivery = new Delivery
                {
                    Id = Guid.NewGuid(),
                    SubscriberId = subscriber.Id,
                    Period = periods[subscriber.Id],
                    State = entries.Count == 0 ? DeliveryState.Empty : DeliveryState.Claimed,
                    MessageId = DigestRenderer.MessageId(subscriber.Id, periods[subscriber.Id], mail.Value),
                    PaperIds = [.. entries.Select(e => e.Paper.PaperId)],
                    Reasons = [.. entries.Select(e => e.Reason)],
                    ClaimedAt = clock.GetUtcNow().UtcDateTime,
                    Transport = sender.Transport,
                };
                claims.Add(delivery);
                if (entries.Count > 0)
                    letters.Add(new DigestLetter(subscriber, delivery, [.. entries.Select(e => new DigestLine(e.Paper, e.Reason))]));
            }
            var claimed = await ClaimAsync(claims, cancellationToken);
            empty += claims.Count(c => c.State == DeliveryState.Empty && claimed.Contains(c.Id));
            sent += await mailer.SendAsync([.. letters.Where(l => claimed.Contains(l.Delivery.Id))], cancellationToken);
        }
        var summary = new DigestRunSummary(due.Count, sent.Sent + resent.Sent, empty, sent.Failed + resent.Failed, resent.Sent);
        logger.LogInformation("Digest run: {Due} due, {Sent} sent ({Resent} left unfinished by an earlier run), {Empty} with nothing new, {Failed} failed, {Waiting} waiting for the Api's library",
            summary.Due, summary.Sent, summary.Resent, summary.Empty, summary.Failed, waiting);
        return summary;
    }

    /// <summary>
    /// Inserts the claims in one statement; if a row is there already (only possible when another
    /// run ran without the lease, whose connection broke) claims them one by one, keeping the others'.
    /// </summary>
    private async Task<HashSet<Guid>> ClaimAsync(List<Delivery> claims, CancellationToken cancellationToken)
    {
        db.Deliveries.AddRange(claims);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return [.. claims.Select(c => c.Id)];
        }
        catch (DbUpdateException ex) when (ex.IsConflict())
        {
            db.ChangeTracker.Clear();
        }
        var won = new HashSet<Guid>();
        foreach (var claim in claims)
        {
            db.Deliveries.Add(claim);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                won.Add(claim.Id);
            }
            catch (DbUpdateException ex) when (ex.IsConflict())
            {
                logger.LogWarning("Digest {Period} of subscriber {Subscriber} was claimed by another run", claim.Period, claim.SubscriberId);
            }
            db.ChangeTracker.Clear();
        }
        return won;
    }

    /// <summary>Digests claimed or sending when the run that claimed them died: sent again as they were chosen.</summary>
    private async Task<List<DigestLetter>> UnfinishedAsync(CancellationToken cancellationToken)
    {
        var deliveries = await db.Deliveries.AsNoTracking().Where(d => d.State == DeliveryState.Claimed || d.State == DeliveryState.Sending)
            .OrderBy(d => d.ClaimedAt).ToListAsync(cancellationToken);
        if (deliveries.Count == 0)
            return [];
        var subscriberIds = deliveries.Select(d => d.SubscriberId).Distinct().ToList();
        var subscribers = await db.Subscribers.AsNoTracking().Where(s => subscriberIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        var paperIds = deliveries.SelectMany(d => d.PaperIds).Distinct().ToList();
        var papers = await db.Candidates.AsNoTracking().Where(c => paperIds.Contains(c.PaperId)).ToDictionaryAsync(c => c.PaperId, cancellationToken);
        var letters = new List<DigestLetter>();
        var dropped = new List<Guid>();
        foreach (var d in deliveries)
        {
            if (subscribers.GetValueOrDefault(d.SubscriberId) is not { Active: true, PausedAt: null } subscriber)
            {
                dropped.Add(d.Id);
                continue;
            }
            letters.Add(new DigestLetter(subscriber, d, [.. d.PaperIds.Select((id, i) => (id, i)).Where(x => papers.ContainsKey(x.id))
                .Select(x => new DigestLine(papers[x.id], d.Reasons.ElementAtOrDefault(x.i) ?? ""))]));
        }
        // Unsubscribed or paused since it was claimed: never sent.
        await db.Deliveries.Where(d => dropped.Contains(d.Id)).ExecuteUpdateAsync(u => u.SetProperty(d => d.State, DeliveryState.Failed)
            .SetProperty(d => d.Error, "Not sent: the subscriber unsubscribed or paused before it went out."), cancellationToken);
        if (letters.Count > 0)
            logger.LogWarning("{Count} digests claimed by an earlier run that did not finish are sent again with their Message-ID", letters.Count);
        return letters;
    }
}
