using Microsoft.Extensions.Options;
using MimeKit;
using Papers.Contracts;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Mail;

namespace Papers.Notifications.Tests;

public sealed class MailTests(SmtpSinkFixture smtp) : IClassFixture<SmtpSinkFixture>
{
    private static readonly Subscriber Reader = Samples.Subscriber("reader@example.org", DateTime.UtcNow);

    private static readonly Delivery Delivery = new()
    {
        Id = Guid.NewGuid(),
        SubscriberId = Reader.Id,
        Period = "daily-2026-11-26",
        MessageId = DigestRenderer.MessageId(Reader.Id, "daily-2026-11-26", new MailOptions()),
        ClaimedAt = new DateTime(2026, 11, 26, 7, 0, 0, DateTimeKind.Utc),
        Transport = "smtp",
    };

    private static IReadOnlyList<DigestLine> Lines() =>
    [
        new(Samples.Paper("2401.00001", "Low-bit <LLMs> & friends", DateTime.UtcNow, authors: ["Ada Lovelace", "Alan Turing"],
            tags: [new TopicTag("cs.LG", "Machine Learning", 0.9)]), "matches your topic cs.LG (0.90)"),
        new(Samples.Paper("hep-th/9901001", "An old-style id", DateTime.UtcNow), "by an author you follow: Ada Lovelace"),
    ];

    private static MimeMessage Render() => DigestRenderer.Render(Reader, Delivery, Lines(), "https://papers.example.org/subscriptions/manage?token=abc",
        new MailOptions(), DigestHost.Site);

    [Fact]
    public void A_digest_says_why_for_each_paper_in_both_parts_and_links_the_papers_pages()
    {
        var message = Render();

        Assert.Equal("reader@example.org", message.To.Mailboxes.Single().Address);
        Assert.Equal("Papers digest 2026-11-26: 2 new papers", message.Subject);
        Assert.Equal(Delivery.MessageId, message.MessageId);
        foreach (var body in new[] { message.TextBody, message.HtmlBody })
        {
            Assert.Contains("Why: matches your topic cs.LG (0.90)", body);
            Assert.Contains("Why: by an author you follow: Ada Lovelace", body);
            Assert.Contains("https://papers.example.org/papers/2401.00001", body);
            Assert.Contains("https://papers.example.org/papers/hep-th/9901001", body);
            Assert.Contains("https://papers.example.org/subscriptions/manage?token=abc", body);
            Assert.DoesNotContain("/api/papers/", body);
        }
        Assert.Contains("Low-bit &lt;LLMs&gt; &amp; friends", message.HtmlBody);
        Assert.Equal($"<https://papers.example.org/api/subscriptions/unsubscribe?token={Reader.UnsubscribeToken}>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
    }

    [Fact]
    public async Task The_smtp_sender_reuses_one_connection_for_many_messages()
    {
        var options = Options.Create(new MailOptions { Transport = MailTransport.Smtp, Smtp = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port } });
        var subjects = new List<string>();
        await using (var session = await new SmtpMailSender(options).OpenAsync(default))
            for (var i = 0; i < 3; i++)
            {
                var message = Render();
                message.Subject += " " + Guid.NewGuid();
                subjects.Add(message.Subject);
                await session.SendAsync(message, default);
            }

        var delivered = smtp.Delivered().Select(f => MimeMessage.Load(f)).Where(m => subjects.Contains(m.Subject ?? "")).ToList();
        Assert.Equal(3, delivered.Count);
        Assert.All(delivered, m => Assert.Contains("Why: matches your topic", m.TextBody));
    }

    [Fact]
    public async Task The_pickup_sender_writes_whole_eml_files()
    {
        var folder = Directory.CreateTempSubdirectory("papers-pickup-").FullName;
        try
        {
            var sender = new PickupDirectoryMailSender(Options.Create(new MailOptions { PickupDirectory = folder }));

            await sender.SendAsync(Render(), default);

            var file = Assert.Single(Directory.GetFiles(folder));
            Assert.EndsWith(".eml", file);
            Assert.Equal("reader@example.org", MimeMessage.Load(file).To.Mailboxes.Single().Address);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
