using MimeKit;

namespace Papers.Cluster.Tests.Infrastructure;

/// <summary>
/// The mails the services sent, read from where they landed: the SMTP sink's Maildir (shared with
/// whoever else uses the sink, so only files written since <paramref name="since"/> are read, and
/// callers look for their own addresses) or Notifications' pickup folder.
/// </summary>
public sealed class MailSink(string folder, DateTime since)
{
    private readonly Dictionary<string, MimeMessage?> _read = [];

    public string Folder => folder;

    /// <summary>Every mail to <paramref name="address"/> so far.</summary>
    public IReadOnlyList<MimeMessage> To(string address) =>
        [.. All().Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>Every mail written since the sink was opened (a file still being written is read on a later call).</summary>
    public IEnumerable<MimeMessage> All()
    {
        if (!Directory.Exists(folder))
            yield break;
        foreach (var file in Directory.EnumerateFiles(folder).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            if (!_read.TryGetValue(file, out var message))
            {
                if (File.GetLastWriteTimeUtc(file) < since)
                    message = null;
                else
                {
                    try
                    {
                        message = MimeMessage.Load(file);
                    }
                    catch (Exception e) when (e is IOException or FormatException)
                    {
                        continue;
                    }
                }
                _read[file] = message;
            }
            if (message is not null)
                yield return message;
        }
    }
}
