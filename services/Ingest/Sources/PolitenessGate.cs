using System.Collections.Concurrent;

namespace Papers.Ingest.Sources;

/// <summary>
/// Spaces requests to one host across every connector instance in the process: one request at a
/// time, and at least a minimum delay from the end of one to the start of the next. arXiv's "one
/// request per 3 seconds" is per client, not per typed HttpClient, and the OAI and query endpoints
/// may share a host. Measuring from the end keeps the gap even when a response is slow.
/// </summary>
public sealed class PolitenessGate(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits until a request to <paramref name="target"/>'s host may be sent. Dispose the
    /// returned turn when the response has been read: that frees the host for the next request.</summary>
    public async Task<IDisposable> WaitTurnAsync(Uri target, TimeSpan minDelay, CancellationToken ct)
    {
        var slot = _slots.GetOrAdd(target.Authority, _ => new Slot());
        await slot.Lock.WaitAsync(ct);
        try
        {
            if (slot.LastEnded is { } last)
            {
                var wait = last + minDelay - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, time, ct);
            }
        }
        catch
        {
            slot.Lock.Release();
            throw;
        }

        return new Turn(slot, time);
    }

    private sealed class Slot
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public DateTimeOffset? LastEnded { get; set; }
    }

    private sealed class Turn(Slot slot, TimeProvider time) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            slot.LastEnded = time.GetUtcNow();
            slot.Lock.Release();
        }
    }
}
