using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Papers.Cluster.Tests.Infrastructure;

/// <summary>One GET of <see cref="Reads"/>: its answer (or why there was none), how long it took, and when.</summary>
public sealed record ReadAnswer(string Target, string Path, HttpStatusCode? Status, double Seconds, double At, string? SearchMode, int? Items, string? Error)
{
    public bool Ok => Status == HttpStatusCode.OK && Error is null;

    public override string ToString() =>
        $"{Target} GET {Path} at {At:0.0} s: {(Status is { } s ? $"{(int)s}" : "no answer")} in {Seconds:0.00} s{(SearchMode is null ? "" : $", X-Search-Mode {SearchMode}")}{(Items is null ? "" : $", {Items} item(s)")}{(Error is null ? "" : $", {Error}")}";
}

/// <summary>
/// Readers that GET the given paths from the given replicas one after another, as a steady stream
/// of users would, until stopped; every answer is kept.
/// </summary>
public sealed class Reads : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task<List<ReadAnswer>>> _readers = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Time since the readers started: the clock of <see cref="ReadAnswer.At"/>.</summary>
    public double Elapsed => _clock.Elapsed.TotalSeconds;

    /// <summary>The header the Api sets on search answers: <c>hybrid</c>, or <c>keyword</c> when the query could not be embedded.</summary>
    public const string SearchModeHeader = "X-Search-Mode";

    /// <param name="targets">Replica name and base address; one reader each.</param>
    /// <param name="paths">The paths each reader cycles through.</param>
    /// <param name="timeout">A request not answered within this counts as failed.</param>
    public static Reads Start(IEnumerable<(string Name, Uri BaseUri)> targets, IReadOnlyList<string> paths, TimeSpan timeout)
    {
        var reads = new Reads();
        foreach (var (name, uri) in targets)
            reads._readers.Add(Task.Run(() => reads.ReadAsync(name, uri, paths, timeout)));
        return reads;
    }

    private async Task<List<ReadAnswer>> ReadAsync(string name, Uri baseUri, IReadOnlyList<string> paths, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = timeout };
        var answers = new List<ReadAnswer>();
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var path = paths[i % paths.Count];
            answers.Add(await GetAsync(http, name, path, _clock));
            await Task.Delay(50);
        }
        return answers;
    }

    /// <summary>One GET, timed; the number of items when the answer is a JSON array (or has <c>items</c>).</summary>
    public static async Task<ReadAnswer> GetAsync(HttpClient http, string target, string path, Stopwatch? clock = null)
    {
        var at = clock?.Elapsed.TotalSeconds ?? 0;
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            var mode = response.Headers.TryGetValues(SearchModeHeader, out var values) ? string.Join(",", values) : null;
            int? items = null;
            if (response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                using var json = JsonDocument.Parse(body);
                items = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.GetArrayLength()
                    : json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength()
                    : null;
            }
            return new(target, path, response.StatusCode, watch.Elapsed.TotalSeconds, at, mode, items,
                response.StatusCode == HttpStatusCode.OK ? null : body.Length > 200 ? body[..200] : body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return new(target, path, null, watch.Elapsed.TotalSeconds, at, null, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Stops the readers and returns every answer, in order per reader.</summary>
    public async Task<List<ReadAnswer>> StopAsync()
    {
        await _stop.CancelAsync();
        return [.. (await Task.WhenAll(_readers)).SelectMany(a => a)];
    }

    /// <summary>Counts per target and path, the slowest answer, and the failures (first few).</summary>
    public static string Describe(IReadOnlyCollection<ReadAnswer> answers) =>
        $"{answers.Count} GETs, {answers.Count(a => a.Ok)} answered 200; slowest {answers.DefaultIfEmpty().Max(a => a?.Seconds ?? 0):0.00} s; " +
        string.Join(", ", answers.GroupBy(a => a.Target).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}")) +
        (answers.Any(a => !a.Ok) ? $"; failed: {string.Join(" | ", answers.Where(a => !a.Ok).Take(5))}" : "");

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
            await StopAsync();
        _stop.Dispose();
    }
}
