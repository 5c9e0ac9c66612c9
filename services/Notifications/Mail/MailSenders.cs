using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Papers.Notifications.Mail;

public interface IMailSender
{
    /// <summary>Name of the transport, recorded with each delivery.</summary>
    string Transport { get; }

    /// <summary>A session that sends many messages (over one SMTP connection); one caller at a time.</summary>
    Task<IMailSession> OpenAsync(CancellationToken cancellationToken);
}

public interface IMailSession : IAsyncDisposable
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

public static class MailSenderExtensions
{
    /// <summary>Sends one message in a session of its own.</summary>
    public static async Task SendAsync(this IMailSender sender, MimeMessage message, CancellationToken cancellationToken)
    {
        await using var session = await sender.OpenAsync(cancellationToken);
        await session.SendAsync(message, cancellationToken);
    }
}

/// <summary>Writes messages as .eml files, one per message, the way an SMTP pickup folder holds them.</summary>
public sealed class PickupDirectoryMailSender(IOptions<MailOptions> options) : IMailSender, IMailSession
{
    public string Transport => "pickup";

    public string Directory => Path.GetFullPath(options.Value.PickupDirectory);

    public Task<IMailSession> OpenAsync(CancellationToken cancellationToken) => Task.FromResult<IMailSession>(this);

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = $"{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}.eml";
        var temporary = Path.Combine(Directory, name + ".tmp");
        await message.WriteToAsync(temporary, cancellationToken);
        // Appears whole or not at all to whoever reads the folder.
        File.Move(temporary, Path.Combine(Directory, name));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Sends through an SMTP server with MailKit, one connection per session (reconnected after a broken one).</summary>
public sealed class SmtpMailSender(IOptions<MailOptions> options) : IMailSender
{
    public string Transport => "smtp";

    public Task<IMailSession> OpenAsync(CancellationToken cancellationToken) => Task.FromResult<IMailSession>(new Session(options.Value.Smtp));

    private sealed class Session(SmtpOptions smtp) : IMailSession
    {
        private SmtpClient? _client;

        public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            try
            {
                if (_client is not { IsConnected: true })
                    _client = await ConnectAsync(cancellationToken);
                await _client.SendAsync(message, cancellationToken);
            }
            catch (SmtpCommandException)
            {
                // The server refused this message (MailKit reset the transaction); the connection serves the next one if it still answers.
                await KeepOrDropAsync();
                throw;
            }
            catch
            {
                // The connection is in an unknown state (cut, timed out, protocol error): the next message gets a new one.
                _client?.Dispose();
                _client = null;
                throw;
            }
        }

        private async Task KeepOrDropAsync()
        {
            try
            {
                if (_client is { IsConnected: true })
                    await _client.NoOpAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException)
            {
                _client?.Dispose();
                _client = null;
            }
        }

        private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
        {
            var client = new SmtpClient();
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                // Without NoDelay each message waits on the server's delayed ACK (Nagle): about 20 messages a second per connection.
                await socket.ConnectAsync(smtp.Host, smtp.Port, cancellationToken);
                await client.ConnectAsync(socket, smtp.Host, smtp.Port, smtp.UseTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken);
                if (!string.IsNullOrEmpty(smtp.Username))
                    await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
                return client;
            }
            catch
            {
                client.Dispose();
                socket.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_client is { IsConnected: true })
            {
                try
                {
                    await _client.DisconnectAsync(true, CancellationToken.None);
                }
                catch (Exception ex) when (ex is IOException or SmtpProtocolException or OperationCanceledException)
                {
                    // Quitting politely is a courtesy; the messages were sent.
                }
            }
            _client?.Dispose();
        }
    }
}
