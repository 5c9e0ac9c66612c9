namespace Papers.ServiceDefaults;

/// <summary>
/// Wakes a background loop early: any number of <see cref="Notify"/> calls while it works make
/// one wake-up, and a loop that isn't signalled still runs at its poll interval.
/// </summary>
public class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { /* already signalled: one wake-up is enough */ }
        }
    }

    /// <summary>True when signalled, false when <paramref name="timeout"/> passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
