using System.Net;
using MimeKit;
using Papers.Notifications.Data;
using Papers.Notifications.Mail;

namespace Papers.Notifications.Subscriptions;

/// <summary>The two mails subscribing sends: the confirmation link of a new subscription, and the manage link of an existing one.</summary>
public static class SubscriptionMails
{
    public static MimeMessage Confirm(Subscriber s, string confirmUrl, MailOptions mail) => Message(s, mail,
        "Confirm your Papers digest",
        [
            $"Someone, hopefully you, asked for Papers digests at this address: {SubscriptionRules.Describe(s)}.",
            "Nothing will be sent unless you confirm:",
        ],
        confirmUrl, "Confirm my subscription",
        $"If it wasn't you, ignore this mail: the link expires in {SubscriptionLinks.ConfirmFor.TotalDays:0} days and nothing more will come.");

    public static MimeMessage Manage(Subscriber s, string manageUrl, MailOptions mail) => Message(s, mail,
        "Your Papers digest subscription",
        [
            "Someone asked to subscribe this address to Papers digests, and it already has a subscription.",
            "Nothing was changed. To change your topics or schedule, preview your next digest, pause or unsubscribe, use this link:",
        ],
        manageUrl, "Manage my subscription",
        "If it wasn't you, ignore this mail.");

    private static MimeMessage Message(Subscriber s, MailOptions mail, string subject, string[] lines, string url, string action, string footer)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(mail.From));
        message.To.Add(MailboxAddress.Parse(s.Email));
        message.Subject = subject;
        var text = string.Join("\n", lines) + $"\n\n{url}\n\n{footer}\n";
        var html = "<html><body style=\"font-family:sans-serif;max-width:40rem\">"
            + string.Concat(lines.Select(l => $"<p>{WebUtility.HtmlEncode(l)}</p>"))
            + $"<p><a href=\"{WebUtility.HtmlEncode(url)}\">{WebUtility.HtmlEncode(action)}</a></p>"
            + $"<p><small>{WebUtility.HtmlEncode(footer)}</small></p></body></html>";
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        return message;
    }
}
