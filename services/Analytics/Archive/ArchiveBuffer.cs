using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Papers.Analytics.Archive;

/// <summary>
/// Gathers single messages into files: each consumer hands its message here and waits until the
/// file holding it is committed (<see cref="ArchiveAppender"/>); only then does MassTransit
/// acknowledge it. Per type, <c>Analytics:ConcurrentBatches</c> writers each take up to
/// <c>Analytics:BatchSize</c> waiting messages, or what arrived within <c>Analytics:FlushAfter</c>
/// of the first. (MassTransit's own batch consumer was measured slower per message the larger
/// its batches, which are the files: see README, "For analysts".) A failed append fails every
/// message of the batch, which MassTransit then retries or moves to the error queue, never drops.
/// </summary>
public sealed class ArchiveBuffer(IServiceScopeFactory scopes, ArchiveOptions options) : IAsyncDisposable
{
    private readonly IServiceScopeFactory _scopes = scopes;
    private readonly ArchiveOptions _options = options;

    private readonly ConcurrentDictionary<ArchiveSchema, Lazy<TypeBuffer>> _buffers = new();

    // Stopped only when the container is disposed: consumers still wait on it while MassTransit drains at shutdown.
    private readonly CancellationTokenSource _stopped = new();

    /// <summary>Completes when <paramref name="row"/> is in a committed file (or was archived before).</summary>
    public Task AppendAsync(ArchiveSchema schema, ArchiveRow row, CancellationToken cancellationToken)
    {
        var pending = new Pending(row, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var buffer = _buffers.GetOrAdd(schema, s => new Lazy<TypeBuffer>(() => new TypeBuffer(s, this))).Value;
        if (!buffer.Queue.Writer.TryWrite(pending))
            throw new InvalidOperationException("The archive is shutting down.");
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopped.CancelAsync();
        foreach (var buffer in _buffers.Values.Where(b => b.IsValueCreated))
            buffer.Value.Queue.Writer.TryComplete();
        _stopped.Dispose();
    }

    private sealed record Pending(ArchiveRow Row, TaskCompletionSource Done);

    private sealed class TypeBuffer
    {
        private readonly ArchiveSchema _schema;
        private readonly ArchiveBuffer _owner;

        public TypeBuffer(ArchiveSchema schema, ArchiveBuffer owner)
        {
            (_schema, _owner) = (schema, owner);
            for (var i = 0; i < owner._options.ConcurrentBatches; i++)
                _ = Task.Run(WriteLoopAsync);
        }

        public Channel<Pending> Queue { get; } = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleWriter = false });

        private async Task WriteLoopAsync()
        {
            var stop = _owner._stopped.Token;
            try
            {
                while (await Queue.Reader.WaitToReadAsync(stop))
                {
                    var batch = await TakeBatchAsync(stop);
                    if (batch.Count > 0)
                        await AppendAsync(batch);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        private async Task<List<Pending>> TakeBatchAsync(CancellationToken stop)
        {
            var options = _owner._options;
            var batch = new List<Pending>(Math.Min(options.BatchSize, 4096));
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
            deadline.CancelAfter(options.FlushAfter);
            while (batch.Count < options.BatchSize)
            {
                if (Queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                    continue;
                }
                try
                {
                    if (!await Queue.Reader.WaitToReadAsync(deadline.Token))
                        break;
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    break; // FlushAfter reached: write what there is.
                }
            }
            return batch;
        }

        private async Task AppendAsync(List<Pending> batch)
        {
            try
            {
                await using var scope = _owner._scopes.CreateAsyncScope();
                var appender = scope.ServiceProvider.GetRequiredService<ArchiveAppender>();
                await appender.AppendAsync(_schema, [.. batch.Select(p => p.Row)], CancellationToken.None);
                foreach (var pending in batch)
                    pending.Done.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var pending in batch)
                    pending.Done.TrySetException(e);
            }
        }
    }
}
