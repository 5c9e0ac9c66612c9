using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Papers.Contracts;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Mail;
using Papers.ServiceDefaults.Leases;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;

namespace Papers.Notifications.Tests;

/// <summary>
/// Digests through the whole path to a real SMTP server (aiosmtpd), read back from its Maildir
/// and parsed with MimeKit: what each subscriber's profile brings and why, the headers, both
/// parts, the links; once per period, digests a crashed run left behind sent again with their
/// Message-ID, temporary refusals retried, permanent ones recorded and repeated ones pausing the address.
/// </summary>
public sealed class DeliveryTests(SmtpSinkFixture smtp) : IClassFixture<SmtpSinkFixture>
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 30, 7, 30, 0, TimeSpan.Zero);

    private MailOptions Mail(params TimeSpan[] retries) => new()
    {
        Transport = MailTransport.Smtp,
        From = "Papers digest <digest@papers.example.org>",
        Smtp = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port },
        Connections = 2,
        RetryDelays = retries,
    };

    private ServiceProvider Host(TestDatabase<NotificationsDbContext> database, TimeProvider clock, MailOptions mail) =>
        DigestHost.Build(database, new SmtpMailSender(Options.Create(mail)), clock, new Samples.FixedEmbedder(), mail);

    private List<MimeMessage> DeliveredTo(string address) =>
        [.. smtp.Delivered().Select(f => MimeMessage.Load(f)).Where(m => m.To.Mailboxes.Any(b => b.Address == address))];

    [PostgresFact]
    public async Task Each_profile_gets_its_papers_with_the_reason_in_both_parts_once_per_period()
    {
        await using var database = await PostgresTestDatabase<NotificationsDbContext>.CreateAsync();
        var clock = new FakeTimeProvider(Morning);
        var run = Guid.NewGuid().ToString("N")[..8];
        var arrived = Morning.UtcDateTime.AddHours(-3);
        var vision = Samples.Paper("2611.00001", "Seeing things", arrived, embedding: [0, 0, 1], tags: [new TopicTag("cs.CV", "Computer Vision", 0.71)], upvotes: 3);
        var quantized = Samples.Paper("2611.00002", "Small weights", arrived, embedding: [1, 0, 0], abstractText: "We study post-training quantization.", upvotes: 42);
        var byNoether = Samples.Paper("2611.00003", "Symmetries", arrived, authors: ["Emmy Noether", "Someone Else"]);
        var seed = Samples.Paper("2601.00009", "An older seed paper", arrived.AddDays(-60), embedding: [0.9f, 0.1f, 0]);
        var subscribers = new Dictionary<string, Subscriber>
        {
            ["topic"] = Samples.Subscriber($"topic-{run}@example.org", arrived, s => s.Topics = ["cs.CV"]),
            ["author"] = Samples.Subscriber($"author-{run}@example.org", arrived, s => (s.Topics, s.Authors) = ([], ["emmy noether"])),
            ["keyword"] = Samples.Subscriber($"keyword-{run}@example.org", arrived, s => (s.Topics, s.Keywords) = ([], ["quantization"])),
            ["seed"] = Samples.Subscriber($"seed-{run}@example.org", arrived, s => (s.Topics, s.Seeds) = ([], [seed.PaperId])),
            ["trending"] = Samples.Subscriber($"trending-{run}@example.org", arrived, s => (s.Topics, s.Kind) = ([], DigestKind.Trending)),
            ["nothing"] = Samples.Subscriber($"nothing-{run}@example.org", arrived, s => s.Topics = ["cs.DB"]),
        };
        await using (var db = database.Context())
        {
            db.Candidates.AddRange(vision, quantized, byNoether, seed);
            db.Subscribers.AddRange(subscribers.Values);
            await db.SaveChangesAsync();
        }
        await using var host = Host(database, clock, Mail());

        var first = await DigestHost.Runner(host).RunAsync(default);

        Assert.Equal(new DigestRunSummary(6, 5, 1, 0, 0), first.Value);
        var expected = new Dictionary<string, (string Paper, string Reason)>
        {
            ["topic"] = ("2611.00001", "matches your topic cs.CV (0.71)"),
            ["author"] = ("2611.00003", "by an author you follow: Emmy Noether"),
            ["keyword"] = ("2611.00002", "mentions your keyword “quantization” in the abstract"),
            ["seed"] = ("2611.00002", "similar to your seed paper “An older seed paper” (0.99)"),
            ["trending"] = ("2611.00002", "trending: 42 upvotes"),
        };
        foreach (var (who, (paper, reason)) in expected)
        {
            var subscriber = subscribers[who];
            var message = Assert.Single(DeliveredTo(subscriber.Email));
            Assert.Equal($"digest.daily-2026-11-30.{subscriber.Id:N}@papers.example.org", message.MessageId);
            Assert.Equal($"<https://papers.example.org/api/subscriptions/unsubscribe?token={subscriber.UnsubscribeToken}>", message.Headers["List-Unsubscribe"]);
            Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
            Assert.NotNull(message.TextBody);
            Assert.NotNull(message.HtmlBody);
            foreach (var body in new[] { message.TextBody, message.HtmlBody })
            {
                Assert.Contains($"https://papers.example.org/papers/{paper}", body);
                Assert.Contains("https://papers.example.org/subscriptions/manage?token=", body);
            }
            Assert.Contains($"Why: {reason}", message.TextBody);
            Assert.Contains(System.Net.WebUtility.HtmlEncode($"Why: {reason}"), message.HtmlBody);
        }
        // Ranked by match, then popularity: the trending digest is by upvotes alone.
        Assert.Equal(["2611.00002", "2611.00001", "2611.00003"], Papers(Assert.Single(DeliveredTo(subscribers["trending"].Email))));
        Assert.Empty(DeliveredTo(subscribers["nothing"].Email));

        // The same period again (the next wake): nothing is due.
        Assert.Equal(new DigestRunSummary(0, 0, 0, 0, 0), (await DigestHost.Runner(host).RunAsync(default)).Value);

        // The next day one new paper: the topic reader gets it, and not yesterday's again.
        await using (var db = database.Context())
        {
            db.Candidates.Add(Samples.Paper("2612.00001", "Seeing more", Morning.UtcDateTime.AddHours(12), tags: [new TopicTag("cs.CV", "Computer Vision", 0.8)]));
            await db.SaveChangesAsync();
        }
        clock.Advance(TimeSpan.FromDays(1));
        await DigestHost.Runner(host).RunAsync(default);
        var second = DeliveredTo(subscribers["topic"].Email).Single(m => m.MessageId?.Contains("2026-12-01") == true);
        Assert.Equal(["2612.00001"], Papers(second));

        await using (var db = database.Context())
        {
            var sent = await db.Set<OutboxMessage>().Where(m => m.MessageType == typeof(DigestSent).FullName).ToListAsync();
            Assert.Equal(await db.Deliveries.CountAsync(d => d.State == DeliveryState.Sent), sent.Count);
            Assert.DoesNotContain(sent, m => m.Body.Contains("@example.org"));
        }
    }

    [Fact]
    public async Task Digests_a_crashed_run_left_claimed_or_sending_go_out_with_their_message_id_and_nothing_else_twice()
    {
        await using var database = await SqliteFileTestDatabase<NotificationsDbContext>.CreateAsync();
        var clock = new FakeTimeProvider(Morning);
        var run = Guid.NewGuid().ToString("N")[..8];
        var paper = Samples.Paper("2611.00001", "Seeing things", Morning.UtcDateTime.AddHours(-3), tags: [new TopicTag("cs.LG", "Machine Learning", 0.9)]);
        var readers = Enumerable.Range(0, 3).Select(i => Samples.Subscriber($"crash{i}-{run}@example.org", Morning.UtcDateTime.AddDays(-1))).ToList();
        var mail = Mail();
        await using (var db = database.Context())
        {
            db.Candidates.Add(paper);
            db.Subscribers.AddRange(readers);
            // What the run killed mid-way left: one digest sent, one being sent, one claimed.
            foreach (var (reader, state) in readers.Zip([DeliveryState.Sent, DeliveryState.Sending, DeliveryState.Claimed]))
                db.Deliveries.Add(new Delivery
                {
                    Id = Guid.NewGuid(),
                    SubscriberId = reader.Id,
                    Period = "daily-2026-11-30",
                    State = state,
                    MessageId = DigestRenderer.MessageId(reader.Id, "daily-2026-11-30", mail),
                    PaperIds = [paper.PaperId],
                    Reasons = ["matches your topic cs.LG (0.90)"],
                    ClaimedAt = Morning.UtcDateTime.AddMinutes(-20),
                    Transport = "smtp",
                });
            await db.SaveChangesAsync();
        }
        await using var host = Host(database, clock, mail);

        var summary = (await DigestHost.Runner(host).RunAsync(default)).Value;

        Assert.Equal(new DigestRunSummary(0, 2, 0, 0, 2), summary);
        Assert.Empty(DeliveredTo(readers[0].Email));
        foreach (var reader in readers.Skip(1))
        {
            var message = Assert.Single(DeliveredTo(reader.Email));
            Assert.Equal(DigestRenderer.MessageId(reader.Id, "daily-2026-11-30", mail), message.MessageId);
            Assert.Contains("Why: matches your topic cs.LG (0.90)", message.TextBody);
        }
        await using var check = database.Context();
        Assert.All(await check.Deliveries.ToListAsync(), d => Assert.Equal(DeliveryState.Sent, d.State));
    }

    [Fact]
    public async Task Temporary_refusals_are_retried_permanent_ones_recorded_and_the_third_pauses_the_address()
    {
        await using var database = await SqliteFileTestDatabase<NotificationsDbContext>.CreateAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        var now = DateTime.UtcNow;
        var busy = Samples.Subscriber($"busy-{run}@example.org", now.AddDays(-1));
        var bounce = Samples.Subscriber($"bounce-{run}@example.org", now.AddDays(-1));
        var bouncedTwice = Samples.Subscriber($"bounce2-{run}@example.org", now.AddDays(-1), s => s.PermanentFailures = 2);
        await using (var db = database.Context())
        {
            db.Candidates.Add(Samples.Paper("2611.00001", "Learning", now.AddHours(-1), tags: [new TopicTag("cs.LG", "Machine Learning", 0.9)]));
            db.Subscribers.AddRange(busy, bounce, bouncedTwice);
            await db.SaveChangesAsync();
        }
        await using var host = Host(database, TimeProvider.System, Mail(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)));

        var summary = (await DigestHost.Runner(host).RunAsync(default)).Value;

        Assert.Equal(new DigestRunSummary(3, 1, 0, 2, 0), summary);
        Assert.Single(DeliveredTo(busy.Email));
        await using var db2 = database.Context();
        var deliveries = await db2.Deliveries.ToDictionaryAsync(d => d.SubscriberId);
        Assert.Equal((DeliveryState.Sent, 1), (deliveries[busy.Id].State, deliveries[busy.Id].Attempts));
        Assert.Equal((DeliveryState.Failed, 550), (deliveries[bounce.Id].State, deliveries[bounce.Id].SmtpStatus));
        var subscribers = await db2.Subscribers.ToDictionaryAsync(s => s.Id);
        Assert.Equal((1, null), (subscribers[bounce.Id].PermanentFailures, subscribers[bounce.Id].PausedAt));
        Assert.Equal(3, subscribers[bouncedTwice.Id].PermanentFailures);
        Assert.NotNull(subscribers[bouncedTwice.Id].PausedAt);
        var failed = (await db2.Set<OutboxMessage>().Where(m => m.MessageType == typeof(DigestFailed).FullName).ToListAsync())
            .Select(m => JsonSerializer.Deserialize<DigestFailed>(m.Body, JsonSerializerOptions.Web)!).ToDictionary(f => f.SubscriberId);
        Assert.Equal((550, true, false), (failed[bounce.Id].SmtpStatus, failed[bounce.Id].Permanent, failed[bounce.Id].AddressPaused));
        Assert.True(failed[bouncedTwice.Id].AddressPaused);
        // A paused address gets nothing more; nothing else is due.
        Assert.Equal(new DigestRunSummary(0, 0, 0, 0, 0), (await DigestHost.Runner(host).RunAsync(default)).Value);
    }

    internal static string[] Papers(MimeMessage message) =>
        [.. System.Text.RegularExpressions.Regex.Matches(message.TextBody ?? "", @"/papers/(\S+)").Select(m => m.Groups[1].Value)];
}
