using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Papers.Contracts;
using Papers.Notifications.Consumers;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Library;
using Papers.Notifications.Mail;
using Papers.TestSupport;

namespace Papers.Notifications.Tests;

/// <summary>
/// "For you" digests: the link from an account to the subscription of its verified address (events
/// in any order, deletion for good), and the digest rules for library recommendations — once per
/// period, never a paper twice, nothing older than the previous digest, empty ones not sent, a
/// digest that can't be chosen now (the Api is down) left for the next run, not skipped.
/// </summary>
public sealed class ForYouDigestTests(SmtpSinkFixture smtp) : IClassFixture<SmtpSinkFixture>
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 30, 7, 30, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task The_link_follows_the_latest_event_of_an_account_and_never_comes_back_after_its_deletion()
    {
        await using var database = await PostgresTestDatabase<NotificationsDbContext>.CreateAsync();
        var clock = new FakeTimeProvider(Morning);
        await using var services = new ServiceCollection()
            .AddDbContext<NotificationsDbContext>(o => database.Configure(o))
            .AddSingleton<TimeProvider>(clock)
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<LinkAccountConsumer>();
                // On a loaded machine a consumer may start later than the default inactivity window
                // (then the harness stops waiting for it): each delivery below waits for its own message.
                x.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(30));
            })
            .BuildServiceProvider(true);
        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        var (ada, bob) = (Guid.NewGuid(), Guid.NewGuid());
        var subscriber = Samples.Subscriber("Ada@Example.org", Morning.UtcDateTime, s => (s.Topics, s.Kind) = ([], DigestKind.ForYou));
        await using (var db = database.Context())
        {
            db.Subscribers.Add(subscriber);
            await db.SaveChangesAsync();
        }

        // Verified, in the provider's spelling: linked (addresses match case-insensitively).
        await DeliverAsync(harness, new AccountEmailChanged(ada, "ada@example.org", Morning));
        Assert.Equal(ada, await LinkedAsync(database, subscriber.Email));
        // An older event arriving late changes nothing; a newer one without a verified address unlinks.
        await DeliverAsync(harness, new AccountEmailChanged(ada, null, Morning.AddMinutes(-5)));
        Assert.Equal(ada, await LinkedAsync(database, subscriber.Email));
        await DeliverAsync(harness, new AccountEmailChanged(ada, null, Morning.AddMinutes(5)));
        Assert.Null(await LinkedAsync(database, subscriber.Email));
        await DeliverAsync(harness, new AccountEmailChanged(ada, "ada@example.org", Morning.AddMinutes(10)));
        Assert.Equal(ada, await LinkedAsync(database, subscriber.Email));

        // Deleted: the address is no longer tied to the account, its "for you" digest is paused (not
        // deleted, not turned into another kind), and a late event of the account can't link it again.
        await DeliverAsync(harness, new AccountDeleted(ada, Morning.AddMinutes(20)));
        Assert.Null(await LinkedAsync(database, subscriber.Email));
        await DeliverAsync(harness, new AccountEmailChanged(ada, "ada@example.org", Morning.AddMinutes(30)));
        Assert.Null(await LinkedAsync(database, subscriber.Email));
        await using (var db = database.Context())
        {
            var link = await db.AccountLinks.SingleAsync(l => l.AccountId == ada);
            Assert.Null(link.Email);
            var kept = await db.Subscribers.SingleAsync(s => s.Id == subscriber.Id);
            Assert.True(kept.Active);
            Assert.Equal(DigestKind.ForYou, kept.Kind);
            Assert.NotNull(kept.PausedAt);
            Assert.Equal(LinkAccountConsumer.DeletedReason, kept.PausedReason);
        }

        // A deletion that arrives before the account's first event: nothing is ever linked.
        await DeliverAsync(harness, new AccountDeleted(bob, Morning));
        await DeliverAsync(harness, new AccountEmailChanged(bob, "bob@example.org", Morning.AddMinutes(-1)));
        Assert.Null(await LinkedAsync(database, "bob@example.org"));
    }

    [PostgresFact]
    public async Task A_for_you_digest_holds_the_library_s_new_recommendations_with_the_saved_papers_they_resemble_once()
    {
        await using var database = await PostgresTestDatabase<NotificationsDbContext>.CreateAsync();
        var clock = new FakeTimeProvider(Morning);
        var run = Guid.NewGuid().ToString("N")[..8];
        var arrived = Morning.UtcDateTime.AddHours(-3);
        var (account, unknownAccount) = (Guid.NewGuid(), Guid.NewGuid());
        var linked = Samples.Subscriber($"linked-{run}@example.org", arrived.AddDays(-1), s => (s.Topics, s.Kind) = ([], DigestKind.ForYou));
        var unlinked = Samples.Subscriber($"unlinked-{run}@example.org", arrived.AddDays(-1), s => (s.Topics, s.Kind) = ([], DigestKind.ForYou));
        var topic = Samples.Subscriber($"topic-{run}@example.org", arrived.AddDays(-1), s => s.Topics = ["cs.CV"]);
        await using (var db = database.Context())
        {
            db.Candidates.AddRange(
                Samples.Paper("2611.00001", "Parsing faster", arrived),
                Samples.Paper("2611.00002", "Parsing slower", arrived),
                Samples.Paper("2610.00009", "Parsing last month", Morning.UtcDateTime.AddDays(-30)));
            db.Subscribers.AddRange(linked, unlinked, topic);
            db.AccountLinks.Add(new AccountLink { AccountId = account, Email = linked.Email, ChangedAt = arrived });
            await db.SaveChangesAsync();
        }
        var library = new Libraries();
        library.ForYou[account] =
        [
            new("2611.00002", "Parsing slower", 0.9, [new("2501.00001", "A saved parser"), new("2501.00002", "Another saved parser")]),
            new("2610.00009", "Parsing last month", 0.8, [new("2501.00001", "A saved parser")]), // before the lookback: not news
            new("2699.99999", "A paper Notifications never heard of", 0.7, [new("2501.00001", "A saved parser")]),
            new("2611.00001", "Parsing faster", 0.6, [new("2501.00001", "A saved parser")]),
        ];
        var mail = new MailOptions
        {
            Transport = MailTransport.Smtp,
            From = "Papers digest <digest@papers.example.org>",
            Smtp = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port },
            Connections = 1,
        };
        await using var host = DigestHost.Build(database, new SmtpMailSender(Options.Create(mail)), clock, new Samples.FixedEmbedder(), mail, library: library);

        // The Api is down: the library digest is not chosen, and not claimed either (the next run tries again).
        library.Down = true;
        var down = await DigestHost.Runner(host).RunAsync(default);
        Assert.Equal(new DigestRunSummary(3, 0, 2, 0, 0), down.Value); // the unlinked one and the topic one (nothing of cs.CV) are empty
        Assert.Empty(DeliveredTo(linked.Email));
        await using (var db = database.Context())
            Assert.False(await db.Deliveries.AnyAsync(d => d.SubscriberId == linked.Id));

        library.Down = false;
        var up = await DigestHost.Runner(host).RunAsync(default);
        Assert.Equal(new DigestRunSummary(1, 1, 0, 0, 0), up.Value);
        var message = Assert.Single(DeliveredTo(linked.Email));
        Assert.Equal(["2611.00002", "2611.00001"], DeliveryTests.Papers(message));
        Assert.Contains("Why: resembles your saved papers “A saved parser” and “Another saved parser”", message.TextBody);
        Assert.Contains("Why: resembles your saved paper “A saved parser”", message.TextBody);
        Assert.Contains(System.Net.WebUtility.HtmlEncode("Why: resembles your saved paper “A saved parser”"), message.HtmlBody);
        Assert.Empty(DeliveredTo(unlinked.Email));

        // The same period: nothing is due. The next day the library recommends the same papers: none
        // is sent twice, so the digest is empty and not sent.
        Assert.Equal(new DigestRunSummary(0, 0, 0, 0, 0), (await DigestHost.Runner(host).RunAsync(default)).Value);
        clock.Advance(TimeSpan.FromDays(1));
        var next = await DigestHost.Runner(host).RunAsync(default);
        Assert.Equal(0, next.Value!.Sent);
        Assert.Single(DeliveredTo(linked.Email));
        // The unlinked subscriber's address never reached the library.
        Assert.Equal(3, library.Calls);
        Assert.DoesNotContain(unknownAccount, library.ForYou.Keys);
    }

    private List<MimeMessage> DeliveredTo(string address) =>
        [.. smtp.Delivered().Select(f => MimeMessage.Load(f)).Where(m => m.To.Mailboxes.Any(b => b.Address == address))];

    private static async Task<Guid?> LinkedAsync(TestDatabase<NotificationsDbContext> database, string email)
    {
        await using var db = database.Context();
        return await AccountLinks.ForAsync(db, email, default);
    }

    private static async Task DeliverAsync<T>(ITestHarness harness, T message) where T : class
    {
        var id = NewId.NextGuid();
        await harness.Bus.Publish(message, c => c.MessageId = id);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.True(await harness.GetConsumerHarness<LinkAccountConsumer>().Consumed.Any<T>(m => m.Context.MessageId == id, timeout.Token),
            $"the consumer did not finish with {typeof(T).Name} in 30 s");
    }
}
