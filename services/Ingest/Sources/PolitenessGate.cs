using System.Collections.Concurrent;

namespace Papers.Ingest.Sources;

/// <summary>
/// Spaces requests to one host across every connector instance in the process: one request at a
/// time, and at least a minimum delay from the end of one to the start of the next. arXiv's "one
/// request per 3 seconds" is per client, not per typed HttpClient, and the OAI and query endpoints
/// may share a host. Measuring from the end keeps the gap even when a response is slow. It also
/// knows which hosts asked us to wait (503 + Retry-After), so a progress display can say so.
/// </summary>
public sealed class PolitenessGate(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _throttledUntil = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits out a host's Retry-After, showing it in <see cref="Throttling"/> meanwhile.</summary>
    public async Task WaitOutAsync(Uri target, TimeSpan wait, CancellationToken ct)
    {
        _throttledUntil[target.Authority] = time.GetUtcNow() + wait;
        try
        {
            await Task.Delay(wait, time, ct);
        }
        finally
        {
            _throttledUntil.TryRemove(target.Authority, out _);
        }
    }

    /// <summary>"throttled by oaipmh.arxiv.org (503 Retry-After): waiting 8 s more", or null when no host is.</summary>
    public string? Throttling()
    {
        var now = time.GetUtcNow();
        return _throttledUntil.ToArray() is [var (host, until), ..]
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"throttled by {host} (503 Retry-After): waiting {Math.Max(0, (until - now).TotalSeconds):0} s more")
            : null;
    }

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
