using System.Collections.Concurrent;
using System.Threading.Channels;
using Papers.ServiceDefaults.Messaging;
using Polly;
using Polly.Retry;

namespace Papers.Analytics.Archive;

/// <summary>
/// Gathers single messages into files: each consumer hands its message here, and the task it gets
/// back completes when the file holding it is committed (<see cref="ArchiveAppender"/>); only then
/// does MassTransit acknowledge it. Per type, <c>Analytics:ConcurrentBatches</c> writers take turns to fill a batch
/// of up to <c>Analytics:BatchSize</c> waiting messages, or what arrived within
/// <c>Analytics:FlushAfter</c> of the first, and write it while the next one fills. (MassTransit's
/// own batch consumer was measured slower per message the larger its batches, which are the files:
/// see README, "For analysts".) A failed append is retried here, the whole batch at once, with
/// <c>Messaging</c>'s retry limit and intervals; one that still fails fails every message of the
/// batch, which RabbitMQ then redelivers: never dropped.
/// </summary>
public sealed class ArchiveBuffer(IServiceScopeFactory scopes, ArchiveOptions options, MessagingOptions retry, ILogger<ArchiveBuffer> logger) : IAsyncDisposable
{
    private readonly IServiceScopeFactory _scopes = scopes;
    private readonly ArchiveOptions _options = options;
    private readonly ILogger _logger = logger;

    /// <summary>The retry limit and exponential intervals of <c>Messaging</c>, the settings MassTransit's retry filter uses for every other consumer.</summary>
    private readonly ResiliencePipeline _appendRetry = retry.RetryLimit < 1 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = retry.RetryLimit,
            Delay = retry.RetryMinInterval,
            MaxDelay = retry.RetryMaxInterval,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            OnRetry = failed =>
            {
                logger.LogWarning(failed.Outcome.Exception, "An archive write failed (attempt {Attempt}); retrying the batch in {Delay}", failed.AttemptNumber + 1, failed.RetryDelay);
                return default;
            },
        })
        .Build();

    private readonly ConcurrentDictionary<ArchiveSchema, Lazy<TypeBuffer>> _buffers = new();

    // Stopped only when the container is disposed: consumers still wait on it while MassTransit drains at shutdown.
    private readonly CancellationTokenSource _stopped = new();

    /// <summary>Completes when <paramref name="row"/> is in a committed file (or was archived before).</summary>
    public Task AppendAsync(ArchiveSchema schema, ArchiveRow row)
    {
        // Continuations run on the writer that completes them, one after the other: the messages
        // are acknowledged in the order they came (see AppendAsync), not in the thread pool's.
        var pending = new Pending(row, new TaskCompletionSource());
        var buffer = _buffers.GetOrAdd(schema, static (s, owner) => new Lazy<TypeBuffer>(() => new TypeBuffer(s, owner)), this).Value;
        if (!buffer.Queue.Writer.TryWrite(pending))
            throw new InvalidOperationException("The archive is shutting down.");
        return pending.Done.Task;
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
        private readonly SemaphoreSlim _filling = new(1, 1);

        // The last batch filled is released (its messages acknowledged) when this completes.
        private Task _lastReleased = Task.CompletedTask;

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
                while (await TakeBatchAsync(stop) is { } batch)
                    await AppendAsync(batch);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        /// <summary>
        /// The next batch, or null once the queue is completed. One batch fills at a time, the
        /// other writers writing theirs meanwhile, so that batches hold consecutive messages and
        /// are released in that order (writers filling side by side would each hold every other
        /// message, and each wait its own <c>FlushAfter</c> at the end of a burst).
        /// </summary>
        private async Task<Batch?> TakeBatchAsync(CancellationToken stop)
        {
            await _filling.WaitAsync(stop);
            try
            {
                if (!await Queue.Reader.WaitToReadAsync(stop))
                    return null;
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
                var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var earlier = _lastReleased;
                _lastReleased = released.Task;
                return new Batch(batch, earlier, released);
            }
            finally
            {
                _filling.Release();
            }
        }

        private async Task AppendAsync(Batch batch)
        {
            var failure = await _owner.AppendWithRetryAsync(_schema, [.. batch.Items.Select(p => p.Row)]);
            // Released in the order the batches filled, each message in the order it came, which is
            // about the order RabbitMQ delivered them: the broker finds each acknowledgement by
            // walking the channel's unacknowledged messages from the oldest, so thousands acked out
            // of order cost it a walk past thousands each (measured: the broker at 100 % CPU, the
            // writers waiting for messages, 16–18 % of raw; 58–71 % acknowledged in order).
            await batch.EarlierReleased;
            foreach (var pending in batch.Items)
            {
                if (failure is null)
                    pending.Done.TrySetResult();
                else
                    pending.Done.TrySetException(failure);
            }
            batch.Released.SetResult();
        }
    }

    /// <summary>Appends one batch, retried as <c>Messaging</c>'s retry settings say; returns the last failure, or null once appended.</summary>
    private async Task<Exception?> AppendWithRetryAsync(ArchiveSchema schema, List<ArchiveRow> rows)
    {
        try
        {
            // Stopping cancels a wait between attempts (the messages go back to the queue now), never an append under way.
            await _appendRetry.ExecuteAsync(async _ =>
            {
                await using var scope = _scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ArchiveAppender>().AppendAsync(schema, rows, CancellationToken.None);
            }, _stopped.Token);
            return null;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Archiving {Count} {EventType} failed; their messages are not acknowledged (RabbitMQ redelivers them)", rows.Count, schema.Name);
            return e;
        }
    }

    /// <summary>Messages written together; released (acknowledged) after <paramref name="EarlierReleased"/>.</summary>
    private sealed record Batch(List<Pending> Items, Task EarlierReleased, TaskCompletionSource Released);
}
