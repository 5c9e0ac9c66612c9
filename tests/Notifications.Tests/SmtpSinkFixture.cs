using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Papers.Notifications.Tests;

/// <summary>
/// A real SMTP server for the tests: aiosmtpd (Debian's python3-aiosmtpd, installed by
/// scripts/test.sh) on a free loopback port, delivering into a Maildir.
/// </summary>
public sealed class SmtpSinkFixture : IAsyncLifetime
{
    private Process? _server;

    public int Port { get; private set; }
    public string Maildir { get; } = Path.Combine(Path.GetTempPath(), "papers-smtp-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python))
            throw new InvalidOperationException($"{python} is missing: install python3-aiosmtpd (scripts/test.sh does).");
        Port = FreePort();
        _server = Process.Start(new ProcessStartInfo(python, ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
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
        if (Directory.Exists(Maildir))
            Directory.Delete(Maildir, recursive: true);
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
