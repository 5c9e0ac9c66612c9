using Microsoft.Extensions.Options;
using MimeKit;
using Papers.Contracts;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Mail;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Tests;

public sealed class MailTests(SmtpSinkFixture smtp) : IClassFixture<SmtpSinkFixture>
{
    private static readonly Subscriber Reader = new()
    {
        Id = Guid.NewGuid(),
        Email = "reader@example.org",
        Topics = ["quantization", "cs.CL"],
        UnsubscribeToken = "tok123",
    };

    private static IReadOnlyList<DigestEntry> Entries() =>
    [
        new(new CandidatePaper
        {
            PaperId = "2401.00001", Title = "Low-bit <LLMs> & friends", Authors = ["Ada Lovelace", "Alan Turing"],
            Keywords = ["quantization", "low-bit inference"], Tags = [new TopicTag("cs.LG", "Machine Learning", 0.9)],
        }, "quantization", 0.61),
        new(new CandidatePaper { PaperId = "p-0123456789ab", Title = "A paper without an arXiv id" }, "cs.CL", 0.82),
    ];

    [Fact]
    public void A_digest_has_text_and_html_parts_each_entry_saying_why()
    {
        var message = DigestRenderer.Render(Reader, Entries(), new MailOptions(), new PublicSiteOptions(), DateTimeOffset.Parse("2026-11-26T07:00:00Z"));

        Assert.Equal("reader@example.org", message.To.Mailboxes.Single().Address);
        Assert.Contains("2 new papers", message.Subject);
        Assert.Contains("1. Low-bit <LLMs> & friends", message.TextBody);
        Assert.Contains("https://arxiv.org/abs/2401.00001", message.TextBody);
        Assert.Contains("Why: your topic “quantization” (match 0.61)", message.TextBody);
        Assert.Contains("http://127.0.0.1:8080/api/papers/p-0123456789ab", message.TextBody);
        Assert.Contains("Low-bit &lt;LLMs&gt; &amp; friends", message.HtmlBody);
        Assert.Contains("unsubscribe?token=tok123", message.Headers["List-Unsubscribe"]);
    }

    [Fact]
    public async Task The_smtp_sender_delivers_to_a_real_smtp_server()
    {
        var options = Options.Create(new MailOptions { Transport = MailTransport.Smtp, Smtp = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port } });
        var message = DigestRenderer.Render(Reader, Entries(), options.Value, new PublicSiteOptions(), DateTimeOffset.UtcNow);
        message.Subject += " " + Guid.NewGuid();

        await new SmtpMailSender(options).SendAsync(message, default);

        var delivered = smtp.Delivered().Select(f => MimeMessage.Load(f)).Single(m => m.Subject == message.Subject);
        Assert.Contains("Why: your topic", delivered.TextBody);
        Assert.NotNull(delivered.HtmlBody);
    }

    [Fact]
    public async Task The_pickup_sender_writes_whole_eml_files()
    {
        var folder = Directory.CreateTempSubdirectory("papers-pickup-").FullName;
        try
        {
            var sender = new PickupDirectoryMailSender(Options.Create(new MailOptions { PickupDirectory = folder }));

            await sender.SendAsync(DigestRenderer.Render(Reader, Entries(), new MailOptions(), new PublicSiteOptions(), DateTimeOffset.UtcNow), default);

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
