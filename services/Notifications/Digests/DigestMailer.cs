using System.Threading.Channels;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Contracts;
using Papers.Notifications.Data;
using Papers.Notifications.Mail;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Digests;

/// <summary>A claimed digest ready to write and send.</summary>
public record DigestLetter(Subscriber Subscriber, Delivery Delivery, IReadOnlyList<DigestLine> Lines);

public readonly record struct MailOutcome(int Sent, int Failed)
{
    public static MailOutcome operator +(MailOutcome a, MailOutcome b) => new(a.Sent + b.Sent, a.Failed + b.Failed);
}

/// <summary>
/// Sends claimed digests over <see cref="MailOptions.Connections"/> SMTP sessions at once, each
/// reused for many messages, and records each outcome as it happens (in its own database scope):
/// a delivery is marked sending before the message goes to the server and sent once the server
/// accepted it, so after a crash only the ones in flight are sent twice. The next delivery of the
/// same connection is marked sending in the save that records the previous one sent: one database
/// round trip (and commit) per message instead of two. A temporary refusal
/// (4xx, or a broken connection) is retried after <see cref="MailOptions.RetryDelays"/>, then left
/// claimed for the next run; a permanent one (5xx) is recorded as failed, and an address with
/// <see cref="MailOptions.PauseAfterPermanentFailures"/> of them in a row is paused.
/// </summary>
public sealed class DigestMailer(IServiceScopeFactory scopes, IMailSender sender, SubscriptionLinks links, IOptions<MailOptions> mail,
    IOptions<PublicSiteOptions> site, TimeProvider clock, ILogger<DigestMailer> logger)
{
    public async Task<MailOutcome> SendAsync(IReadOnlyList<DigestLetter> letters, CancellationToken cancellationToken)
    {
        if (letters.Count == 0)
            return default;
        var queue = Channel.CreateUnbounded<DigestLetter>();
        foreach (var letter in letters)
            queue.Writer.TryWrite(letter);
        queue.Writer.Complete();
        var workers = Enumerable.Range(0, Math.Clamp(mail.Value.Connections, 1, letters.Count)).Select(_ => WorkAsync(queue.Reader, cancellationToken));
        return (await Task.WhenAll(workers)).Aggregate(default(MailOutcome), (a, b) => a + b);
    }

    private async Task<MailOutcome> WorkAsync(ChannelReader<DigestLetter> queue, CancellationToken cancellationToken)
    {
        var outcome = default(MailOutcome);
        await using var session = await sender.OpenAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
        var letter = queue.TryRead(out var first) ? first : null;
        var marked = false;
        while (letter is not null)
        {
            // Taken now, so that recording this letter sent can mark it sending in the same save.
            var next = queue.TryRead(out var n) ? n : null;
            db.ChangeTracker.Clear();
            var (sent, nextMarked) = await SendOneAsync(session, db, letter, marked, next, cancellationToken);
            outcome += sent ? new MailOutcome(1, 0) : new MailOutcome(0, 1);
            (letter, marked) = (next, nextMarked);
        }
        return outcome;
    }

    /// <param name="marked">Whether the previous letter's save marked this one sending already.</param>
    /// <param name="next">The letter this connection sends next: marked sending with this one's success.</param>
    /// <returns>Whether this letter was sent, and whether <paramref name="next"/> was marked sending.</returns>
    private async Task<(bool Sent, bool NextMarked)> SendOneAsync(IMailSession session, NotificationsDbContext db, DigestLetter letter, bool marked,
        DigestLetter? next, CancellationToken cancellationToken)
    {
        var (subscriber, delivery) = (letter.Subscriber, letter.Delivery);
        var message = DigestRenderer.Render(subscriber, delivery, letter.Lines, links.ManagePageUrl(subscriber), mail.Value, site.Value);
        if (!marked)
            await db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(u => u.SetProperty(d => d.State, DeliveryState.Sending)
                .SetProperty(d => d.Attempts, d => d.Attempts + 1), cancellationToken);
        var delays = mail.Value.RetryDelays ?? MailOptions.DefaultRetryDelays;
        for (var attempt = 0; ; attempt++)
        {
            Exception? failure = null;
            try
            {
                await session.SendAsync(message, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
            {
                failure = ex;
            }
            if (failure is null)
            {
                // Not the caller's token from here: the server has the mail, so it must be recorded.
                db.ChangeTracker.Clear();
                await RecordSentAsync(db, letter, next);
                return (true, next is not null);
            }
            var status = failure is SmtpCommandException command ? (int)command.StatusCode : (int?)null;
            var permanent = status >= 500;
            if (!permanent && attempt < delays.Length)
            {
                logger.LogInformation("Digest {Delivery} refused for now ({Status}: {Error}); retrying in {Delay}", delivery.Id, status, failure.Message, delays[attempt]);
                await Task.Delay(delays[attempt], clock, cancellationToken);
                continue;
            }
            logger.LogWarning("Digest {Delivery} of subscriber {Subscriber} failed {Kind} ({Status}: {Error})", delivery.Id, subscriber.Id,
                permanent ? "permanently" : "for now", status, failure.Message);
            await InTransactionAsync(db, () => RecordFailedAsync(db, letter, status, permanent, failure.Message));
            return (false, false);
        }
    }

    /// <summary>The outcome and its event in one transaction, retried as a whole on a transient database error (the retrying execution strategy).</summary>
    private static Task InTransactionAsync(NotificationsDbContext db, Func<Task> record) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            await record();
            await transaction.CommitAsync(CancellationToken.None);
        });

    /// <summary>
    /// The delivery sent, the subscriber's next digest starting after it, its event, and the
    /// connection's next delivery marked sending (its attempt counted): one batched save.
    /// </summary>
    private async Task RecordSentAsync(NotificationsDbContext db, DigestLetter letter, DigestLetter? next)
    {
        var (subscriber, delivery) = (letter.Subscriber, letter.Delivery);
        var now = clock.GetUtcNow();
        var sent = db.Deliveries.Attach(new Delivery { Id = delivery.Id, Period = delivery.Period, MessageId = delivery.MessageId, Transport = delivery.Transport }).Entity;
        (sent.State, sent.SentAt, sent.Error, sent.SmtpStatus) = (DeliveryState.Sent, now, null, null);
        foreach (var property in new[] { nameof(Delivery.State), nameof(Delivery.SentAt), nameof(Delivery.Error), nameof(Delivery.SmtpStatus) })
            db.Entry(sent).Property(property).IsModified = true;
        var reader = db.Subscribers.Attach(new Subscriber { Id = subscriber.Id, Email = subscriber.Email, UnsubscribeToken = subscriber.UnsubscribeToken }).Entity;
        // Papers that arrived after the claim were not considered: the next digest starts there.
        (reader.LastDigestAt, reader.PermanentFailures) = (delivery.ClaimedAt > subscriber.LastDigestAt ? delivery.ClaimedAt : subscriber.LastDigestAt, 0);
        db.Entry(reader).Property(s => s.LastDigestAt).IsModified = true;
        db.Entry(reader).Property(s => s.PermanentFailures).IsModified = true;
        db.AddToOutbox(new DigestSent(delivery.Id, subscriber.Id, subscriber.Topics, delivery.PaperIds, now), clock);
        if (next is not null)
        {
            var d = next.Delivery;
            var sending = db.Deliveries.Attach(new Delivery { Id = d.Id, Period = d.Period, MessageId = d.MessageId, Transport = d.Transport }).Entity;
            // The row's attempts are the loaded ones: this run holds the lease, and only it changes them.
            (sending.State, sending.Attempts) = (DeliveryState.Sending, d.Attempts + 1);
            db.Entry(sending).Property(x => x.State).IsModified = true;
            db.Entry(sending).Property(x => x.Attempts).IsModified = true;
        }
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private async Task RecordFailedAsync(NotificationsDbContext db, DigestLetter letter, int? status, bool permanent, string error)
    {
        var (subscriber, delivery) = (letter.Subscriber, letter.Delivery);
        var now = clock.GetUtcNow();
        var attempts = await db.Deliveries.Where(d => d.Id == delivery.Id).Select(d => d.Attempts).SingleAsync(CancellationToken.None);
        var final = permanent || attempts >= mail.Value.MaxAttempts;
        error = error.Length > 500 ? error[..500] : error;
        // Failing for now: claimed again, for the next run.
        await db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(u => u.SetProperty(d => d.State, final ? DeliveryState.Failed : DeliveryState.Claimed)
            .SetProperty(d => d.Error, error).SetProperty(d => d.SmtpStatus, status), CancellationToken.None);
        var paused = false;
        if (permanent)
        {
            await db.Subscribers.Where(s => s.Id == subscriber.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.PermanentFailures, s => s.PermanentFailures + 1), CancellationToken.None);
            paused = await db.Subscribers.Where(s => s.Id == subscriber.Id && s.PausedAt == null && s.PermanentFailures >= mail.Value.PauseAfterPermanentFailures)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.PausedAt, now.UtcDateTime)
                    .SetProperty(s => s.PausedReason, $"{mail.Value.PauseAfterPermanentFailures} permanent delivery failures in a row (last: {status})"), CancellationToken.None) == 1;
        }
        if (final)
            db.AddToOutbox(new DigestFailed(delivery.Id, subscriber.Id, delivery.Period, status, permanent, paused, now), clock);
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
