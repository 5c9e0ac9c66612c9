using System.Diagnostics;

namespace Papers.TestSupport;

/// <summary>
/// Waits on a condition, never on a fixed sleep: returns as soon as it holds. Probes every
/// <c>every</c>, or from 20 ms growing to 1 s; a probe that throws what a server that isn't up yet
/// throws (connection refused, a timeout, a database not there) counts as "not yet". A timeout names
/// the last value and the last such error.
/// </summary>
public static class Eventually
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        var clock = Stopwatch.StartNew();
        var delay = every ?? TimeSpan.FromMilliseconds(20);
        T last = default!;
        Exception? lastError = null;
        while (true)
        {
            try
            {
                last = await probe();
                lastError = null;
                if (done(last))
                    return last;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Npgsql.NpgsqlException or InvalidOperationException)
            {
                lastError = e;
            }
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{what}: not reached within {timeout.TotalSeconds:0} s; last value {last}{(lastError is null ? "" : $", last error {lastError.Message}")}");
            await Task.Delay(delay);
            if (every is null)
                delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 1.5));
        }
    }

    public static Task UntilAsync(Func<Task<bool>> probe, TimeSpan timeout, string what, TimeSpan? every = null) =>
        UntilAsync(probe, ok => ok, timeout, what, every);
}
