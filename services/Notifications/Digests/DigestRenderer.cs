using System.Net;
using System.Text;
using MimeKit;
using Papers.Notifications.Data;
using Papers.Notifications.Mail;
using Papers.ServiceDefaults.Security;

namespace Papers.Notifications.Digests;

/// <summary>A digest's papers, each with why it is there.</summary>
public record DigestLine(CandidatePaper Paper, string Reason);

/// <summary>
/// Writes a digest as an e-mail with an HTML and a plain-text part saying the same things: each
/// entry with its reason, links to the paper's page and to the subscriber's manage page, all under
/// the one public base URL. The Message-ID is the delivery's, so a copy sent again after a crash
/// is the same message to the receiver; RFC 8058 one-click unsubscribe headers are set.
/// </summary>
public static class DigestRenderer
{
    public static MimeMessage Render(Subscriber subscriber, Delivery delivery, IReadOnlyList<DigestLine> lines, string manageUrl,
        MailOptions mail, PublicSiteOptions site)
    {
        var unsubscribe = UnsubscribeUrl(subscriber, site);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(mail.From));
        message.To.Add(MailboxAddress.Parse(subscriber.Email));
        message.MessageId = delivery.MessageId;
        var day = delivery.Period[(delivery.Period.IndexOf('-') + 1)..];
        var what = subscriber.Kind == DigestKind.Trending ? "trending" : "new";
        message.Subject = $"Papers digest {day}: {lines.Count} {what} paper{(lines.Count == 1 ? "" : "s")}";
        message.Date = new DateTimeOffset(delivery.ClaimedAt, TimeSpan.Zero);
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");

        var heading = subscriber.Kind == DigestKind.Trending ? "Trending papers" : "New papers for you";
        var text = new StringBuilder().AppendLine(heading).AppendLine();
        var html = new StringBuilder().Append("<html><body style=\"font-family:sans-serif;max-width:40rem\">")
            .Append($"<h2>{Encode(heading)}</h2><ol>");
        for (var i = 0; i < lines.Count; i++)
        {
            var (paper, reason) = (lines[i].Paper, lines[i].Reason);
            var link = site.Link(PaperPath(paper.PaperId));
            var authors = string.Join(", ", paper.Authors.Take(6)) + (paper.Authors.Count > 6 ? " et al." : "");
            var why = $"Why: {reason}";
            text.AppendLine($"{i + 1}. {paper.Title}");
            if (authors.Length > 0)
                text.AppendLine($"   {authors}");
            text.AppendLine($"   {link}").AppendLine($"   {why}").AppendLine();
            html.Append($"<li><p><a href=\"{Encode(link)}\"><b>{Encode(paper.Title ?? paper.PaperId)}</b></a><br><small>{Encode(authors)}</small><br>")
                .Append($"<small><i>{Encode(why)}</i></small></p></li>");
        }
        text.AppendLine($"Change your topics, schedule or time zone, pause or unsubscribe: {manageUrl}");
        text.AppendLine($"Unsubscribe: {unsubscribe}");
        html.Append($"</ol><p><small><a href=\"{Encode(manageUrl)}\">Change your topics, schedule or time zone, pause or unsubscribe</a>")
            .Append($" · <a href=\"{Encode(unsubscribe)}\">Unsubscribe</a></small></p></body></html>");

        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        return message;
    }

    /// <summary>The one-click link (RFC 8058): a POST to it unsubscribes; opening it shows a button.</summary>
    public static string UnsubscribeUrl(Subscriber subscriber, PublicSiteOptions site) =>
        site.Link($"api/subscriptions/unsubscribe?token={Uri.EscapeDataString(subscriber.UnsubscribeToken)}");

    /// <summary>The paper's web page; an old-style arXiv id keeps its slash (<c>/papers/hep-th/9901001</c>).</summary>
    public static string PaperPath(string paperId) => "papers/" + string.Join('/', paperId.Split('/').Select(Uri.EscapeDataString));

    /// <summary>One id for every attempt at a subscriber's digest of a period, in the sender's domain.</summary>
    public static string MessageId(Guid subscriberId, string period, MailOptions mail) =>
        $"digest.{period}.{subscriberId:N}@{MailboxAddress.Parse(mail.From).Domain}";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
