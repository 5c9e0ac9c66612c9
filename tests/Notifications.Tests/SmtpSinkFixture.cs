using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Papers.Notifications.Tests;

/// <summary>
/// A real SMTP server for the tests: aiosmtpd (Debian's python3-aiosmtpd, installed by
/// scripts/test.sh) on a free loopback port, delivering into a Maildir. Like a real server it
/// refuses some recipients: <c>bounce…@</c> permanently (550), <c>busy…@</c> for now (451) twice
/// per address before it accepts.
/// </summary>
public sealed class SmtpSinkFixture : IAsyncLifetime
{
    private Process? _server;

    public int Port { get; private set; }
    public string Maildir { get; } = Path.Combine(Path.GetTempPath(), "papers-smtp-" + Guid.NewGuid().ToString("N"));

    private string HandlerFolder => Maildir + "-handler";

    public async Task InitializeAsync()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python))
            throw new InvalidOperationException($"{python} is missing: install python3-aiosmtpd (scripts/test.sh does).");
        Port = FreePort();
        // Beside the Maildir: aiosmtpd makes that folder itself (and not its cur/new/tmp if it exists).
        Directory.CreateDirectory(HandlerFolder);
        await File.WriteAllTextAsync(Path.Combine(HandlerFolder, "picky.py"), Handler);
        var start = new ProcessStartInfo(python, ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "picky.Picky", Maildir])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["PYTHONPATH"] = HandlerFolder;
        _server = Process.Start(start)!;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_server.HasExited)
                throw new InvalidOperationException($"aiosmtpd exited ({_server.ExitCode}): {await _server.StandardError.ReadToEndAsync()} — install python3-aiosmtpd.");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Messages delivered so far, as raw RFC 5322 files.</summary>
    public IEnumerable<string> Delivered() =>
        Directory.Exists(Path.Combine(Maildir, "new")) ? Directory.EnumerateFiles(Path.Combine(Maildir, "new")) : [];

    public Task DisposeAsync()
    {
        if (_server is { HasExited: false })
            _server.Kill(entireProcessTree: true);
        _server?.Dispose();
        foreach (var folder in new[] { Maildir, HandlerFolder }.Where(Directory.Exists))
            Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }

    private const string Handler = """
        from aiosmtpd.handlers import Mailbox

        class Picky(Mailbox):
            def __init__(self, path):
                super().__init__(path)
                self.refused = {}

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                local = address.split('@')[0]
                if local.startswith('bounce'):
                    return '550 5.1.1 No such mailbox here'
                if local.startswith('busy') and self.refused.get(address, 0) < 2:
                    self.refused[address] = self.refused.get(address, 0) + 1
                    return '451 4.3.0 Busy, try again later'
                envelope.rcpt_tos.append(address)
                return '250 OK'
        """;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
