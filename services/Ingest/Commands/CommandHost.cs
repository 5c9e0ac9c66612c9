using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Ingest.Data;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;
using Papers.ServiceDefaults.Outbox;

namespace Papers.Ingest.Commands;

/// <summary>
/// What the commands that write (<c>backfill</c>, <c>harvest</c>) share: a host with Ingest's
/// database, intake, connectors and the configured broker, but no consumers or schedules, and
/// configured like the service (environment variables, appsettings.json); and the wait until
/// the outbox has published every event the command recorded. Warnings and errors are logged as
/// one line each to the command's error output (<see cref="CommandLog"/>), never as stack traces.
/// </summary>
public static class CommandHost
{
    /// <param name="log">Where warnings and errors go, one line each (the command's error output).</param>
    /// <param name="configure">Adds configuration sources (tests point the host at their own database and servers).</param>
    public static IHost Build(string command, TextWriter log, Action<IConfigurationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        configure?.Invoke(builder.Configuration);
        builder.AddServiceDefaults();
        builder.AddIngestIntake();
        builder.AddMessaging();
        CommandLog.Use(builder.Logging, command, log);
        return builder.Build();
    }

    /// <summary>
    /// Builds the host and runs <paramref name="run"/> with it. A bad setting (a <c>Sources:*</c>
    /// option that fails validation) ends the command with one line per setting, naming it and its
    /// value, and exit code 2, however deep in the run it is first read.
    /// </summary>
    public static async Task<int> RunAsync(string command, TextWriter error, Action<IConfigurationBuilder>? configure, Func<IHost, Task<int>> run)
    {
        try
        {
            using var host = Build(command, error, configure);
            return await run(host);
        }
        catch (Exception ex) when (BadSettings.Of(ex) is [_, ..] failures)
        {
            return await BadSettings.ReportAsync(command, failures, error);
        }
    }

    /// <summary>Waits until no outbox row is left unpublished, showing how many are waiting.</summary>
    public static async Task WaitForOutboxAsync(IServiceProvider services, ProgressLine.Factory progress, CancellationToken cancellationToken)
    {
        var pending = int.MaxValue;
        using var display = progress(() => $"events waiting to be published {pending}");
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IngestDbContext>();
            pending = await db.Set<OutboxMessage>().CountAsync(m => m.SentAt == null, cancellationToken);
            if (pending == 0)
                return;
            await Task.Delay(500, cancellationToken);
        }
    }
}

/// <summary>Rewrites one status line on a terminal; prints it every few seconds when redirected.</summary>
public sealed class ProgressLine : IDisposable
{
    private readonly string _command;
    private readonly TextWriter _output;
    private readonly bool _terminal;
    private readonly Func<string> _text;
    private readonly Timer _timer;

    public delegate ProgressLine Factory(Func<string> text);

    public ProgressLine(string command, TextWriter output, Func<string> text)
    {
        (_command, _output, _text) = (command, output, text);
        _terminal = output == Console.Out && !Console.IsOutputRedirected;
        var period = _terminal ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(5);
        _timer = new Timer(_ => Write(), null, period, period);
    }

    private void Write()
    {
        if (_terminal)
            _output.Write($"\r{_command}: {_text()}\u001b[K");
        else
            _output.WriteLine($"{_command}: {_text()}");
    }

    public void Dispose()
    {
        _timer.Dispose();
        if (_terminal)
            _output.Write("\r\u001b[K");
    }
}
