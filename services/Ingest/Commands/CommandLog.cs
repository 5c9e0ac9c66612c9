namespace Papers.Ingest.Commands;

/// <summary>
/// Logging for the commands: warnings and errors as one line each (<c>harvest: warning: …</c>) on the
/// command's error output, an exception as its message only. A command's reader wants to know what
/// went wrong, not 246 lines of stack traces; Polly's own per-attempt records are left out, because
/// the source clients log one concise line per retry themselves (<c>ConnectorsExtensions</c>).
/// </summary>
public sealed class CommandLog(string command, TextWriter output) : ILoggerProvider
{
    public static void Use(ILoggingBuilder logging, string command, TextWriter output)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Critical);
        // EF Core logs a failed command as an error before the exception reaches the command,
        // which reports it itself.
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Critical);
        // The shared access control's key ring warns about its storage at every start; a command
        // signs nothing, so that warning is noise here (the service still logs it).
        logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        logging.AddProvider(new CommandLog(command, output));
    }

    public ILogger CreateLogger(string categoryName) => new Line(command, output);

    public void Dispose()
    {
    }

    private sealed class Line(string command, TextWriter output) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            var message = formatter(state, exception).ReplaceLineEndings(" ");
            if (exception is not null && !message.Contains(exception.Message, StringComparison.Ordinal))
                message += $": {exception.Message.ReplaceLineEndings(" ")}";
            var level = logLevel == LogLevel.Warning ? "warning" : "error";
            lock (output)
                output.WriteLine($"{command}: {level}: {message}");
        }
    }
}
