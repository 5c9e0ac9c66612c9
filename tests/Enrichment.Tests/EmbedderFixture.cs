using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Enrichment.Embeddings;

namespace Papers.Enrichment.Tests;

/// <summary>One model for the whole test run: loading it takes seconds.</summary>
public sealed class EmbedderFixture : IDisposable
{
    public EmbedderFixture()
    {
        Logger = new CapturingLogger();
        Options = new EmbeddingOptions { ExecutionProvider = ExecutionProvider.Auto, BatchSize = 4 };
        Embedder = new OnnxEmbedder(Options, Logger, EmbeddingModelFiles.MiniLm);
    }

    public OnnxEmbedder Embedder { get; }

    public EmbeddingOptions Options { get; }

    /// <summary>What the embedder logged while loading (the Auto fallback's warning).</summary>
    public CapturingLogger Logger { get; }

    public void Dispose() => Embedder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ModelCollection : ICollectionFixture<EmbedderFixture>
{
    public const string Name = "model";
}

public sealed class CapturingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
                return [.. _entries];
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => NullLogger.Instance.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
            _entries.Add((logLevel, formatter(state, exception)));
    }
}
