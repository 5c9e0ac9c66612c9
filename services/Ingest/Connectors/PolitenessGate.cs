using System.Collections.Concurrent;

namespace Papers.Ingest.Connectors;

/// <summary>
/// Spaces requests to one host by at least a minimum delay, across every connector instance in
/// the process: arXiv's "one request per 3 seconds" is per client, not per typed HttpClient, and
/// the OAI and query endpoints may share a host.
/// </summary>
public sealed class PolitenessGate(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits until a request to <paramref name="target"/>'s host may be sent, and books it.</summary>
    public async Task WaitTurnAsync(Uri target, TimeSpan minDelay, CancellationToken ct)
    {
        var slot = _slots.GetOrAdd(target.Authority, _ => new Slot());
        await slot.Lock.WaitAsync(ct);
        try
        {
            if (slot.Last is { } last)
            {
                var wait = last + minDelay - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, time, ct);
            }

            slot.Last = time.GetUtcNow();
        }
        finally
        {
            slot.Lock.Release();
        }
    }

    private sealed class Slot
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public DateTimeOffset? Last { get; set; }
    }
}
