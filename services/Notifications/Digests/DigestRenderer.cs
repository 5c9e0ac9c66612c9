using System.Net;
using System.Text;
using MimeKit;
using Papers.Notifications.Data;
using Papers.Notifications.Mail;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Digests;

/// <summary>Writes a digest as an e-mail with an HTML and a plain-text part, each entry saying why it is there.</summary>
public static class DigestRenderer
{
    public static MimeMessage Render(Subscriber subscriber, IReadOnlyList<DigestEntry> entries, MailOptions mail, PublicSiteOptions site, DateTimeOffset now)
    {
        var unsubscribe = site.Link($"api/subscriptions/unsubscribe?token={Uri.EscapeDataString(subscriber.UnsubscribeToken)}");
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(mail.From));
        message.To.Add(MailboxAddress.Parse(subscriber.Email));
        message.Subject = $"Papers digest {now:yyyy-MM-dd}: {entries.Count} new paper{(entries.Count == 1 ? "" : "s")} on {string.Join(", ", subscriber.Topics)}";
        message.Date = now;
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");

        var text = new StringBuilder();
        text.AppendLine($"New papers on your topics: {string.Join(", ", subscriber.Topics)}").AppendLine();
        var html = new StringBuilder();
        html.Append("<html><body style=\"font-family:sans-serif;max-width:40rem\">")
            .Append($"<h2>New papers on your topics</h2><p>{Encode(string.Join(", ", subscriber.Topics))}</p><ol>");
        for (var i = 0; i < entries.Count; i++)
        {
            var (paper, topic, score) = (entries[i].Paper, entries[i].Topic, entries[i].Score);
            var link = Link(paper, site);
            var authors = string.Join(", ", paper.Authors.Take(6)) + (paper.Authors.Count > 6 ? " et al." : "");
            var why = $"Why: your topic “{topic}” (match {score:0.00})";
            text.AppendLine($"{i + 1}. {paper.Title}");
            if (authors.Length > 0)
                text.AppendLine($"   {authors}");
            text.AppendLine($"   {link}").AppendLine($"   {why}");
            if (paper.Keywords.Count > 0)
                text.AppendLine($"   Keywords: {string.Join(", ", paper.Keywords)}");
            text.AppendLine();
            html.Append($"<li><p><a href=\"{Encode(link)}\"><b>{Encode(paper.Title ?? paper.PaperId)}</b></a><br><small>{Encode(authors)}</small><br>")
                .Append($"<small><i>{Encode(why)}</i>{(paper.Keywords.Count > 0 ? " · " + Encode(string.Join(", ", paper.Keywords)) : "")}</small></p></li>");
        }
        text.AppendLine($"Unsubscribe: {unsubscribe}");
        html.Append($"</ol><p><small><a href=\"{Encode(unsubscribe)}\">Unsubscribe</a></small></p></body></html>");

        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        return message;
    }

    private static string Link(CandidatePaper paper, PublicSiteOptions site) =>
        paper.PaperId.StartsWith("p-", StringComparison.Ordinal)
            ? site.Link($"api/papers/{Uri.EscapeDataString(paper.PaperId)}")
            : $"https://arxiv.org/abs/{paper.PaperId}";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
