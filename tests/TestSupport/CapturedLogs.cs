using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Papers.TestSupport;

/// <summary>One log line: its category, level and formatted message.</summary>
public sealed record LogLine(string Category, LogLevel Level, string Message);

/// <summary>A logger provider that keeps every line written at or above the levels the host's filters allow.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    /// <summary>Messages of one category.</summary>
    public IReadOnlyList<string> Of(string category) => Lines.Where(l => l.Category == category).Select(l => l.Message).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink._lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception)));
    }
}
