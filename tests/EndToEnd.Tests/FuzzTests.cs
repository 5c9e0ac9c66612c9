using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Papers.Api.Data;
using Papers.ServiceDefaults.Security;
using Xunit.Abstractions;

namespace Papers.EndToEnd.Tests;

/// <summary>
/// Thousands of generated, mostly malformed requests to every endpoint the Local host maps (read
/// from its <see cref="EndpointDataSource"/>: the APIs of all four services, <c>/embed</c>, the web
/// page, OpenAPI and health), with hostile methods, bodies, content types, query values and headers,
/// and groups of eight racing on one key (a subscription address, a vote, an API key, a submission).
/// No input may produce a 5xx.
/// </summary>
/// <remarks>
/// Runs on the hardened host, with rate limits on: most requests come through the trusted proxy
/// from a random client address (a fresh bucket each, so they reach the handlers) or with keys of a
/// large quota; the rest come from one address or with a garbage <c>X-Forwarded-For</c>, so the
/// limits and their 429s are exercised too. The requests are a function of the seed (printed; set
/// <c>FUZZ_SEED</c> to replay one); the order they run in, eight at a time, is not.
/// </remarks>
[Collection(HardenedHostCollection.Name)]
public sealed partial class FuzzTests(HardenedHostFixture host, ITestOutputHelper output)
{
    private const int DefaultSeed = 1010;
    private const int RandomRequests = 6_000;
    private const int Parallelism = 8;

    [Fact]
    public async Task Thousands_of_malformed_requests_to_every_endpoint_get_no_5xx()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        output.WriteLine($"seed {seed} (FUZZ_SEED={seed} replays these requests)");
        var world = await WorldAsync();
        var endpoints = Endpoints();
        output.WriteLine($"{endpoints.Count} endpoints: " + string.Join(", ", endpoints.Select(e => $"{e.Method} {e.Pattern}")));
        Assert.Contains(endpoints, e => e.Pattern == "/embed");
        Assert.Contains(endpoints, e => e.Pattern == "/api/subscriptions/");
        Assert.Contains(endpoints, e => e.Pattern == "/");
        Assert.True(endpoints.Count >= 30, $"only {endpoints.Count} endpoints found");

        var random = new Random(seed);
        var generator = new RequestGenerator(random, world, endpoints);
        var work = new List<Fuzzed[]>();
        for (var i = 0; i < RandomRequests; i++)
            work.Add([generator.Next()]);
        foreach (var group in generator.RacingGroups())
            work.Add(group);
        foreach (var edge in generator.Sweep())
            work.Add([edge]);
        // The groups go among the random requests, not after them.
        work = [.. work.OrderBy(_ => random.Next())];
        var total = work.Sum(w => w.Length);

        var errorsBefore = host.ApplicationErrors.Snapshot().Count;
        using var client = NewClient();
        var statuses = new ConcurrentDictionary<int, int>();
        var byEndpoint = new ConcurrentDictionary<(string Endpoint, int Status), int>();
        var failures = new ConcurrentQueue<(Fuzzed Request, int Status, string Response)>();
        var resets = new ConcurrentQueue<(Fuzzed Request, int Status, string Response)>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (group, ct) =>
        {
            await Task.WhenAll(group.Select(async request =>
            {
                var (status, body) = await SendAsync(client, request, ct);
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                byEndpoint.AddOrUpdate((request.Endpoint, status), 1, (_, n) => n + 1);
                if (status >= 500)
                    failures.Enqueue((request, status, body));
                else if (status == 0)
                    resets.Enqueue((request, status, body));
            }));
        });
        watch.Stop();

        output.WriteLine($"{total:N0} requests ({RandomRequests:N0} random, {work.Count(w => w.Length > 1)} racing groups of {Parallelism}, the rest an edge-value sweep) in {watch.Elapsed.TotalSeconds:0.0} s, {Parallelism} at a time");
        output.WriteLine("status  count");
        foreach (var (status, count) in statuses.OrderBy(x => x.Key))
            output.WriteLine($"{(status == 0 ? "reset" : status.ToString(CultureInfo.InvariantCulture)),6}  {count,5}");
        output.WriteLine("by endpoint (status×count):");
        foreach (var endpoint in byEndpoint.GroupBy(x => x.Key.Endpoint).OrderBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"  {endpoint.Key}: " + string.Join(" ", endpoint.OrderBy(x => x.Key.Status).Select(x => $"{x.Key.Status}×{x.Value}")));
        foreach (var kind in failures.Concat(resets).GroupBy(f => $"{(f.Status == 0 ? "no response" : f.Status.ToString(CultureInfo.InvariantCulture))} {f.Request.Endpoint}: {FirstLine(f.Response)}"))
            output.WriteLine($"  {kind.Count()}× {kind.Key}");
        foreach (var (request, status, body) in failures.Take(5))
            output.WriteLine($"FAILED with {(status == 0 ? "no response" : status.ToString(CultureInfo.InvariantCulture))}:\n{request.Describe()}\n  response: {Preview(body, 1_500)}");

        // A reset is Kestrel closing the connection after refusing a request at the protocol level (a
        // request line over 8 KiB, a bad Host, a body beyond the limit left unread) while the client
        // still sent: no status to read, but no application error either, which the log would show.
        foreach (var (request, _, body) in resets.Take(5))
            output.WriteLine($"reset: {FirstLine(body)}\n{request.Describe()}");
        var errors = host.ApplicationErrors.Snapshot().Skip(errorsBefore).ToList();
        foreach (var error in errors.Take(5))
            output.WriteLine("APPLICATION ERROR: " + Preview(error, 2_000));

        if (failures.TryPeek(out var first))
            Assert.Fail($"{failures.Count} of {total} requests got a 5xx; the first: {first.Request.Describe()} → {first.Status} {Preview(first.Response, 500)}");
        if (errors.Count > 0)
            Assert.Fail($"{errors.Count} exceptions no answer was made of; the first: {Preview(errors[0], 1_000)}");
        Assert.True(resets.Count < total / 200, $"{resets.Count} requests got no answer");

        // What the racing left behind is consistent: every paper's count is its votes, every identity within its quota.
        var counts = await host.QueryAsync<ApiDbContext, List<(string Paper, int Counted, int Votes)>>(async db =>
            (await db.Papers.Select(p => new { p.PaperId, p.LocalUpvotes, Votes = db.Votes.Count(v => v.PaperId == p.PaperId) }).ToListAsync())
                .Select(p => (p.PaperId, p.LocalUpvotes, p.Votes)).ToList());
        Assert.All(counts, c => Assert.True(c.Counted == c.Votes, $"{c.Paper}: LocalUpvotes {c.Counted}, {c.Votes} votes"));
        var since = DateTime.UtcNow.AddDays(-1);
        var perIdentity = await host.QueryAsync<ApiDbContext, List<int>>(db =>
            db.Submissions.Where(x => x.SubmittedAt > since).GroupBy(x => x.SubmittedBy).Select(g => g.Count()).ToListAsync());
        Assert.All(perIdentity, n => Assert.InRange(n, 1, HardenedHostFixture.SubmissionsPerIdentityPerDay));
        // The handlers were reached: every endpoint answered something besides refusals of identity or rate.
        // Endpoints of a signed-in account can't be reached here (signing in takes an OIDC provider:
        // AccountsTests do it), nor those of the digest service's library key (AccountLinkTests);
        // what matters is that none of them ever answered without one.
        var reached = byEndpoint.Where(x => x.Key.Status is not (401 or 403 or 429 or 405 or 413 or 415)).Select(x => x.Key.Endpoint).ToHashSet();
        var accountOnly = AccountOnlyEndpoints();
        Assert.All(endpoints.Select(e => $"{e.Method} {e.Pattern}").Where(e => !accountOnly.Contains(e)), e => Assert.Contains(e, reached));
        Assert.DoesNotContain(byEndpoint, x => accountOnly.Contains(x.Key.Endpoint) && x.Key.Status is >= 200 and < 300);
    }

    /// <summary>Every route endpoint of the host, with its methods (health checks and the page answer GET).</summary>
    private List<(string Method, string Pattern)> Endpoints() =>
        [.. host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (Method: m, Pattern: e.RoutePattern.RawText ?? "/")))
            .Distinct().OrderBy(e => e.Pattern, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal)];

    private HashSet<string> AccountOnlyEndpoints() =>
        [.. host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any(a => a.Policy is Policies.Account or Policies.Library))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => $"{m} {e.RoutePattern.RawText ?? "/"}"))];

    /// <summary>Real things to aim at: credentials, paper ids, a pending submission, a confirm link, a key to revoke.</summary>
    private async Task<World> WorldAsync()
    {
        var admin = await host.IssueKeyAsync(1_000_000, Scopes.Admin);
        var member = await host.IssueKeyAsync(1_000_000, Scopes.Vote, Scopes.Submit);
        var reader = await host.IssueKeyAsync(1_000_000);
        var throwaway = await host.IssueKeyAsync(10);
        Assert.True(ApiKeyFormat.TryParse(throwaway, out var throwawayId, out _));

        var jar = new CookieContainer();
        using var visitor = new HttpClient(new SocketsHttpHandler { CookieContainer = jar }) { BaseAddress = host.Address };
        visitor.DefaultRequestHeaders.Add("X-Forwarded-For", "192.0.2.200");
        var session = (await visitor.GetFromJsonAsync<VisitorSession>("/api/session"))!;
        var cookies = jar.GetCookieHeader(host.Address);
        Assert.Contains(Visitors.CookieName, cookies);

        var papers = (await visitor.GetFromJsonAsync<List<LocalHostFixture.Item>>($"/api/daily_papers?date={HardenedHostFixture.SampleDay}&limit=5"))!.Select(i => i.Paper.Id).ToList();
        using var adminClient = host.KeyClient(admin, "192.0.2.201");
        using var submitted = await adminClient.PostAsJsonAsync("/api/papers/submit", new { title = "Fuzz target submission", summary = "Approved by eight admins at once." });
        var pending = (await submitted.Content.ReadFromJsonAsync<Submitted>())!.SubmissionId;

        var email = $"fuzz-confirm-{Guid.NewGuid():N}@example.org";
        (await visitor.PostAsJsonAsync("/api/subscriptions", new { email, topics = new[] { "cs.CL" } })).EnsureSuccessStatusCode();
        var confirm = await Eventually.UntilAsync(() => Task.FromResult(host.MailsTo(email).Select(m => ConfirmToken().Match(m.TextBody ?? "")).FirstOrDefault(m => m.Success)?.Groups[1].Value),
            t => t is not null, TimeSpan.FromSeconds(30), "the confirmation mail");
        return new World(admin, member, reader, throwawayId, cookies, session.AntiforgeryToken, [.. papers, .. HardenedHostFixture.ArxivPapers], pending, confirm!);
    }

    private HttpClient NewClient()
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = Parallelism * 2,
            // Header values are sent as UTF-8, so non-ASCII garbage reaches the server (which must refuse it, not fail).
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
            Expect100ContinueTimeout = TimeSpan.FromSeconds(5),
        };
        return new HttpClient(handler) { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    private static async Task<(int Status, string Body)> SendAsync(HttpClient client, Fuzzed fuzzed, CancellationToken cancellationToken)
    {
        try
        {
            using var request = fuzzed.ToRequest(client.BaseAddress!);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            // Read every answer to its end (a server that fails part-way through a body fails here).
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return ((int)response.StatusCode, (int)response.StatusCode >= 500 ? body : "");
        }
        catch (HttpRequestException e)
        {
            return (0, e.ToString());
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return (0, "timed out: " + e.Message);
        }
    }

    private static string FirstLine(string text) => Preview(text.Split('\n')[0], 160);

    private static string Preview(string? text, int max) =>
        text is null ? "" : text.Length <= max ? text : text[..max] + $"… ({text.Length:N0} chars)";

    [GeneratedRegex(@"/api/subscriptions/confirm\?token=(\S+)")]
    private static partial Regex ConfirmToken();

    private sealed record Submitted(Guid SubmissionId);

    /// <param name="VisitorCookies">The <c>Cookie</c> header of a visitor (visitor and antiforgery cookies).</param>
    internal sealed record World(string AdminKey, string MemberKey, string ReaderKey, string ThrowawayKeyId, string VisitorCookies, string AntiforgeryToken,
        IReadOnlyList<string> PaperIds, Guid PendingSubmission, string ConfirmToken);
}
