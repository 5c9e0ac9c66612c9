using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Papers.ServiceDefaults.Security;
using Xunit.Abstractions;

namespace Papers.EndToEnd.Tests;

/// <summary>
/// Rate limits as a client meets them (<see cref="HardenedHostFixture"/>: small limits in a 5-second
/// window): 429 with a Retry-After that, honoured, succeeds; RateLimit and RateLimit-Policy headers on
/// every response; separate buckets for each key and each client address; and the client address
/// taken from X-Forwarded-For only when the trusted proxy sent it.
/// </summary>
[Collection(HardenedHostCollection.Name)]
public sealed partial class RateLimitTests(HardenedHostFixture host, ITestOutputHelper output)
{
    private const string Read = "/api/papers?limit=1";
    private static readonly int WindowSeconds = (int)HardenedHostFixture.Window.TotalSeconds;

    [Fact]
    public async Task A_burst_over_the_quota_gets_429_with_Retry_After_and_waiting_that_long_succeeds()
    {
        using var client = host.ClientFrom("198.51.100.101");
        var (granted, refusal) = await BurstUntilRefusedAsync(client, Read);
        Assert.InRange(granted, 1, HardenedHostFixture.AnonymousReads);
        Assert.Equal("application/problem+json", refusal.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many requests", await refusal.Content.ReadAsStringAsync());
        var retryAfter = RetryAfter(refusal);
        Assert.InRange(retryAfter, 1, WindowSeconds);
        var (policy, remaining, reset) = RateLimit(refusal);
        Assert.Equal(("read", 0), (policy, remaining));
        Assert.Equal(retryAfter, reset);

        // Not before: the next request is refused too.
        using (var early = await client.GetAsync(Read))
            Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(retryAfter));
        using var retry = await client.GetAsync(Read);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(HardenedHostFixture.AnonymousReads - 1, RateLimit(retry).Remaining);
    }

    [Fact]
    public async Task Retry_After_counts_down_to_the_end_of_the_window()
    {
        using var client = host.ClientFrom("198.51.100.102");
        var watch = Stopwatch.StartNew();
        using (var first = await client.GetAsync(Read))
        {
            // A fresh bucket: the whole window ahead.
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal((HardenedHostFixture.AnonymousReads - 1, WindowSeconds), (RateLimit(first).Remaining, RateLimit(first).Reset));
        }
        var (_, refusal) = await BurstUntilRefusedAsync(client, Read);
        refusal.Dispose();
        await Task.Delay(TimeSpan.FromSeconds(WindowSeconds / 2.0) - watch.Elapsed);

        using var later = await client.GetAsync(Read);
        Assert.Equal(HttpStatusCode.TooManyRequests, later.StatusCode);
        var elapsed = watch.Elapsed;
        var retryAfter = RetryAfter(later);
        output.WriteLine($"{elapsed.TotalSeconds:0.00} s into a {WindowSeconds} s window: Retry-After {retryAfter}, RateLimit {later.Headers.GetValues("RateLimit").Single()}");
        // What is left of the window, rounded up: not a whole window again.
        Assert.InRange(retryAfter, 1, (int)Math.Ceiling(WindowSeconds - elapsed.TotalSeconds) + 1);
        Assert.True(retryAfter < WindowSeconds, $"Retry-After {retryAfter} s halfway through a {WindowSeconds} s window");
        Assert.Equal(retryAfter, RateLimit(later).Reset);

        await Task.Delay(TimeSpan.FromSeconds(retryAfter));
        using var retry = await client.GetAsync(Read);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task RateLimit_headers_are_on_every_response_including_errors()
    {
        const string from = "198.51.100.103";
        using var anonymous = host.ClientFrom(from);
        using var reader = host.KeyClient(await host.IssueKeyAsync(1_000), from);
        using var forged = host.KeyClient("pk_notakey", from);
        // Pages give a newcomer the visitor cookie as they render: a browser of its own, so the rest stay anonymous.
        using var browser = host.ClientFrom(from);
        var paper = (await anonymous.GetFromJsonAsync<List<LocalHostFixture.Item>>($"/api/daily_papers?date={HardenedHostFixture.SampleDay}&limit=1"))!.Single().Paper.Id;
        var cases = new (HttpClient Client, HttpMethod Method, string Path, HttpContent? Body, HttpStatusCode Expected)[]
        {
            (anonymous, HttpMethod.Get, Read, null, HttpStatusCode.OK),
            (browser, HttpMethod.Get, "/", null, HttpStatusCode.OK),
            (anonymous, HttpMethod.Get, "/api/papers/0000.00000", null, HttpStatusCode.NotFound),
            (anonymous, HttpMethod.Get, "/no/such/page", null, HttpStatusCode.NotFound),
            (anonymous, HttpMethod.Get, "/api/daily_papers?limit=0", null, HttpStatusCode.BadRequest),
            (anonymous, HttpMethod.Get, "/api/daily_papers?limit=x", null, HttpStatusCode.BadRequest),
            (anonymous, HttpMethod.Post, "/api/subscriptions", new StringContent("{\"email\":", Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest),
            (anonymous, HttpMethod.Post, "/api/subscriptions", new StringContent("email=a@b.org", Encoding.UTF8, "text/plain"), HttpStatusCode.UnsupportedMediaType),
            (anonymous, HttpMethod.Post, "/api/subscriptions", new StringContent($"{{\"email\":\"{new string('a', 300_000)}\"}}", Encoding.UTF8, "application/json"), HttpStatusCode.RequestEntityTooLarge),
            (anonymous, HttpMethod.Post, "/api/papers/submit", JsonContent.Create(new { title = "t", summary = "s" }), HttpStatusCode.Unauthorized),
            (forged, HttpMethod.Get, Read, null, HttpStatusCode.Unauthorized),
            (reader, HttpMethod.Get, "/api/admin/keys", null, HttpStatusCode.Forbidden),
            (reader, HttpMethod.Put, $"/api/papers/{paper}", null, HttpStatusCode.MethodNotAllowed),
            (reader, HttpMethod.Get, "/api/subscriptions/manage?token=forged", null, HttpStatusCode.BadRequest),
        };
        foreach (var (client, method, path, body, expected) in cases)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body };
            using var response = await client.SendAsync(request);
            var what = $"{method} {path[..Math.Min(60, path.Length)]}";
            Assert.True(expected == response.StatusCode, $"{what}: {(int)response.StatusCode}, expected {(int)expected}");
            Assert.True(response.Headers.Contains("RateLimit") && response.Headers.Contains("RateLimit-Policy"), $"{what} ({(int)response.StatusCode}): no RateLimit headers");
            Assert.Matches(PolicyHeader(), response.Headers.GetValues("RateLimit-Policy").Single());
            Assert.Matches(LimitHeader(), response.Headers.GetValues("RateLimit").Single());
        }
        var (_, refusal) = await BurstUntilRefusedAsync(anonymous, Read);
        using (refusal)
        {
            Assert.True(refusal.Headers.Contains("RateLimit-Policy"));
            Assert.True(refusal.Headers.Contains("Retry-After"));
        }
    }

    [Fact]
    public async Task Each_key_and_each_anonymous_client_has_its_own_bucket()
    {
        const string from = "198.51.100.104";
        using var anonymous = host.ClientFrom(from);
        var (granted, refusal) = await BurstUntilRefusedAsync(anonymous, Read);
        refusal.Dispose();

        // From the same address, a key counts in its own bucket, by its own quota.
        using var first = host.KeyClient(await host.IssueKeyAsync(10), from);
        using (var response = await first.GetAsync(Read))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"\"read\";q=10;w={WindowSeconds}", response.Headers.GetValues("RateLimit-Policy").Single());
        }
        var (keyGranted, keyRefusal) = await BurstUntilRefusedAsync(first, Read);
        keyRefusal.Dispose();
        Assert.InRange(keyGranted, 0, 9);
        using var second = host.KeyClient(await host.IssueKeyAsync(10), from);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(Read)).StatusCode);
        // Another address is another bucket; a fresh visitor cookie at the spent address is not.
        using var elsewhere = host.ClientFrom("198.51.100.105");
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync(Read)).StatusCode);
        using var visitor = await host.VisitorClientAsync(from);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await visitor.GetAsync(Read)).StatusCode);
        // Classes are separate buckets too: spent reads leave searches alone.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/papers/search?q=quantization&limit=1")).StatusCode);
        output.WriteLine($"anonymous bucket gave {granted} more reads, the first key {keyGranted}");
    }

    [Fact]
    public async Task Forwarded_headers_are_believed_only_from_the_trusted_proxy()
    {
        // An untrusted peer (127.0.0.2) cannot pick its bucket with X-Forwarded-For: one bucket, whatever it claims.
        using var untrusted = host.UntrustedPeerClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < HardenedHostFixture.AnonymousReads + 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Read);
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            using var response = await untrusted.SendAsync(request);
            statuses.Add(response.StatusCode);
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 1, HardenedHostFixture.AnonymousReads);

        // The trusted proxy's X-Forwarded-For is the client address: a spent client stays spent,
        // whatever it put in front of the address the proxy appended (one hop is believed).
        using var spent = host.ClientFrom("198.51.100.107");
        var (_, refusal) = await BurstUntilRefusedAsync(spent, Read);
        refusal.Dispose();
        using (var request = new HttpRequestMessage(HttpMethod.Get, Read))
        {
            request.Headers.Add("X-Forwarded-For", "6.6.6.6, 198.51.100.107");
            using var sneaky = await host.CreateClient().SendAsync(request);
            Assert.Equal(HttpStatusCode.TooManyRequests, sneaky.StatusCode);
        }
        using var other = host.ClientFrom("198.51.100.108");
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync(Read)).StatusCode);
        // Garbage in X-Forwarded-For from the proxy is no address: refused or ignored, never a 5xx.
        foreach (var garbage in new[] { "not-an-address", "999.999.999.999", "::::", string.Join(",", Enumerable.Repeat("10.0.0.1", 500)), "198.51.100.109:8080" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Read);
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", garbage);
            using var response = await host.CreateClient().SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"X-Forwarded-For '{garbage[..Math.Min(40, garbage.Length)]}': {(int)response.StatusCode}");
        }
    }

    /// <summary>Sends <paramref name="path"/> until a 429 comes back: how many were granted on the way, and the refusal.</summary>
    private static async Task<(int Granted, HttpResponseMessage Refusal)> BurstUntilRefusedAsync(HttpClient client, string path)
    {
        for (var granted = 0; granted < 1_000; granted++)
        {
            var response = await client.GetAsync(path);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                return (granted, response);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }
        throw new InvalidOperationException($"1,000 requests to {path} and no 429");
    }

    private static int RetryAfter(HttpResponseMessage response) =>
        (int)(response.Headers.RetryAfter?.Delta ?? throw new InvalidOperationException("no Retry-After in seconds")).TotalSeconds;

    private static (string Policy, int Remaining, int Reset) RateLimit(HttpResponseMessage response)
    {
        var match = LimitHeader().Match(response.Headers.GetValues("RateLimit").Single());
        Assert.True(match.Success, response.Headers.GetValues("RateLimit").Single());
        return (match.Groups[1].Value, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("^\"([a-z-]+)\";r=([0-9]+);t=([0-9]+)$")]
    private static partial Regex LimitHeader();

    [GeneratedRegex("^\"[a-z-]+\";q=[0-9]+;w=[0-9]+$")]
    private static partial Regex PolicyHeader();
}
