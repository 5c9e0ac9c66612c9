namespace Papers.Notifications.Mail;

public enum MailTransport
{
    /// <summary>Writes each message as an .eml file into <see cref="MailOptions.PickupDirectory"/>: the embedded default.</summary>
    Pickup,

    /// <summary>Sends through the SMTP server at <see cref="MailOptions.Smtp"/>.</summary>
    Smtp,
}

/// <summary>Section <c>Mail</c>.</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    public MailTransport Transport { get; set; } = MailTransport.Pickup;
    public string PickupDirectory { get; set; } = "data/mail";
    public string From { get; set; } = "Papers digest <digest@papers.localhost>";

    /// <summary>
    /// Whether the SMTP server relays SMTPUTF8 mail (RFC 6531), so addresses with a non-ASCII local
    /// part can be delivered; without it they are refused at subscribe time. (IDN domains are
    /// always fine: they are sent as punycode.)
    /// </summary>
    public bool SmtpUtf8 { get; set; }

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>SMTP connections a digest run sends over at once, each reused for many messages.</summary>
    public int Connections { get; set; } = 16;

    /// <summary>
    /// Waits before the retries of a message the server refused for now (a 4xx reply, or a broken
    /// connection); unset: <see cref="DefaultRetryDelays"/> (an array default would be appended to by configuration binding).
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    public static readonly TimeSpan[] DefaultRetryDelays = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    /// <summary>A digest that still fails for now after this many runs' attempts is recorded as failed.</summary>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>Permanent (5xx) failures in a row after which an address gets no more digests until its owner resumes them.</summary>
    public int PauseAfterPermanentFailures { get; set; } = 3;
}

public sealed class SmtpOptions
{
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 25;
    public bool UseTls { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
}
