namespace Papers.Ingest.Tests.Sources;

/// <summary>
/// Records, in the client, when each request left and when its response came back: where the
/// politeness gate works. Arrival times at a test server would also depend on how soon a busy
/// machine runs the server's handler, and made spacing tests flaky under load.
/// </summary>
public sealed class SendTimes() : DelegatingHandler(new HttpClientHandler())
{
    /// <summary>Timers may fire a clock tick early relative to the wall clock.</summary>
    public static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(5);

    public List<(DateTimeOffset Sent, DateTimeOffset Answered)> Times { get; } = [];

    /// <summary>From each response to the next request.</summary>
    public List<TimeSpan> Gaps
    {
        get
        {
            lock (Times)
                return Times.Zip(Times.Skip(1), (first, next) => next.Sent - first.Answered).ToList();
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sent = TimeProvider.System.GetUtcNow();
        var response = await base.SendAsync(request, cancellationToken);
        lock (Times)
            Times.Add((sent, TimeProvider.System.GetUtcNow()));
        return response;
    }
}
