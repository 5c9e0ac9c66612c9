namespace Papers.EndToEnd.Tests;

/// <summary>Awaits a condition instead of sleeping a fixed time: returns as soon as it holds.</summary>
public static class Eventually
{
    public static Task Async(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        UntilAsync(condition, ok => ok, timeout, what);

    /// <summary>Probes until <paramref name="done"/> holds for the value; a timeout names the last value seen.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var last = await probe();
            if (done(last))
                return last;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Waited {timeout} for {what}; last value {last}.");
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 1.5));
        }
    }
}
