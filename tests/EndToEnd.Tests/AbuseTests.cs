using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Papers.Api.Data;
using Papers.Ingest.Data;
using Papers.Notifications.Data;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults.Security;
using Xunit.Abstractions;
using Item = Papers.EndToEnd.Tests.LocalHostFixture.Item;

namespace Papers.EndToEnd.Tests;

/// <summary>
/// Issue 10's attacks, replayed against the embedded default with its public-hosting defences on
/// (<see cref="HardenedHostFixture"/>): one test per numbered item of the issue, each asserting the
/// fixed behaviour through HTTP and, where a response could hide a change, in the host's databases.
/// Every scenario comes from its own client address (through the trusted proxy), so the per-address
/// limits of one don't spill into another.
/// </summary>
[Collection(HardenedHostCollection.Name)]
public sealed class AbuseTests(HardenedHostFixture host, ITestOutputHelper output)
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd");

    /// <summary>Issue 10.1: a submission by title (any case, any punctuation) or by arXiv id rewrote the paper.</summary>
    [Fact]
    public async Task Item1_any_paper_can_be_rewritten()
    {
        using var reader = host.ClientFrom("198.51.100.11");
        var victim = (await reader.GetFromJsonAsync<LocalHostFixture.Paper>($"/api/papers/{HardenedHostFixture.ArxivPapers[0]}"))!;
        var before = await reader.GetByteArrayAsync($"/api/papers/{victim.Id}");

        using var attacker = host.KeyClient(await host.IssueKeyAsync(1_000, Scopes.Submit), "198.51.100.11");
        using var visitor = await host.VisitorClientAsync("198.51.100.12");
        var sameTitle = new string([.. victim.Title.ToUpperInvariant().Where(c => c is not (':' or ',' or '-'))]) + " !!";
        var byTitle = await SubmitAsync(attacker, new { title = sameTitle, summary = "HIJACKED abstract", authors = new[] { "Mallory" } }, HttpStatusCode.Accepted);
        var byTitleAsVisitor = await SubmitAsync(visitor, new { title = victim.Title.ToLowerInvariant(), summary = "HIJACKED again" }, HttpStatusCode.Accepted);
        Assert.Equal(("pending", null), (byTitle.Status, byTitle.ListedOn));
        Assert.Equal("pending", byTitleAsVisitor.Status);
        // 202, or 200 when it is on today's list already (the fuzz may have submitted it).
        var byId = await SubmitAsync(attacker, new { arxivId = $"arXiv:{victim.Id}v7" }, HttpStatusCode.Accepted, HttpStatusCode.OK);
        Assert.Equal(("listed", victim.Id, Today), (byId.Status, byId.PaperId, byId.ListedOn));
        // Both at once: refused, not "the id's paper with this text".
        using var both = await attacker.PostAsJsonAsync("/api/papers/submit", new { arxivId = victim.Id, title = "HIJACKED", summary = "HIJACKED" });
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);

        // Even an admin who approves the title submissions without reading them changes nothing.
        using var admin = await host.KeyClientAsync();
        foreach (var id in new[] { byTitle.SubmissionId, byTitleAsVisitor.SubmissionId })
            (await admin.PostAsync($"/api/admin/submissions/{id}/approve", null)).EnsureSuccessStatusCode();
        Guid[] submitted = [byTitle.SubmissionId, byTitleAsVisitor.SubmissionId, byId.SubmissionId];
        await Eventually.UntilAsync(() => host.QueryAsync<IngestDbContext, bool>(async db =>
            await db.Submissions.CountAsync(s => submitted.Contains(s.SubmissionId)) == submitted.Length), TimeSpan.FromSeconds(60), "Ingest to process the three submissions");
        var processed = await host.QueryAsync<IngestDbContext, List<string>>(db => db.Submissions.Where(s => submitted.Contains(s.SubmissionId)).Select(s => s.PaperId).ToListAsync());
        Assert.All(processed, p => Assert.Equal(victim.Id, p));

        var after = await reader.GetByteArrayAsync($"/api/papers/{victim.Id}");
        Assert.Equal(Encoding.UTF8.GetString(before), Encoding.UTF8.GetString(after));
        var stored = await host.QueryAsync<ApiDbContext, PaperRecord>(db => db.Papers.AsNoTracking().SingleAsync(p => p.PaperId == victim.Id));
        Assert.Equal((victim.Title, victim.Summary), (stored.Title, stored.Abstract));
        Assert.NotEqual("submission", stored.Source);
        Assert.DoesNotContain(await reader.GetFromJsonAsync<List<Item>>("/api/papers/search?q=HIJACKED&limit=5") ?? [], i => i.Paper.Summary.Contains("HIJACKED", StringComparison.Ordinal));
        // The submission by id lists the paper (arXiv's record, unchanged) on today's list.
        var today = await reader.GetFromJsonAsync<List<Item>>($"/api/daily_papers?date={Today}&limit=100");
        Assert.Contains(today!, i => i.Paper.Id == victim.Id && i.Paper.Title == victim.Title);
    }

    /// <summary>
    /// Issue 10.2: one text submission took the front page. Now 1,000 submissions from one client
    /// (three API keys and three visitor cookies, eight at a time) meet the per-identity daily quota and
    /// the per-address hourly limit; even one an admin approves doesn't move the default list.
    /// </summary>
    [Fact]
    public async Task Item2_one_submission_takes_the_front_page()
    {
        const string from = "198.51.100.21";
        var started = DateTime.UtcNow.AddSeconds(-1);
        var keys = new List<HttpClient>();
        for (var i = 0; i < 3; i++)
            keys.Add(host.KeyClient(await host.IssueKeyAsync(1_000_000, Scopes.Submit), from));
        var visitors = new List<HttpClient>();
        for (var i = 0; i < 3; i++)
            visitors.Add(await host.VisitorClientAsync(from));
        HttpClient[] identities = [.. keys, .. visitors];

        var statuses = new ConcurrentDictionary<(int Identity, HttpStatusCode Status), int>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
        {
            var who = n % identities.Length;
            object body = n % 3 == 0 ? new { title = "x z", summary = "y" } : new { title = $"x z {n}", summary = "y", authors = new[] { "Spammer" } };
            using var response = await identities[who].PostAsJsonAsync("/api/papers/submit", body, ct);
            statuses.AddOrUpdate((who, response.StatusCode), 1, (_, c) => c + 1);
        });
        output.WriteLine($"1,000 submissions in {watch.Elapsed.TotalSeconds:0.0} s: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"identity {s.Key.Identity} {(int)s.Key.Status}×{s.Value}")));

        int Accepted(int who) => statuses.GetValueOrDefault((who, HttpStatusCode.Accepted));
        Assert.All(statuses.Keys, k => Assert.Contains(k.Status, new[] { HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests }));
        // Each key: exactly its daily quota, however many requests raced for it.
        Assert.All(Enumerable.Range(0, 3), who => Assert.Equal(HardenedHostFixture.SubmissionsPerIdentityPerDay, Accepted(who)));
        // The visitors: each at most its quota, all of them together at most the address's hourly limit.
        Assert.All(Enumerable.Range(3, 3), who => Assert.InRange(Accepted(who), 0, HardenedHostFixture.SubmissionsPerIdentityPerDay));
        var visitorsAccepted = Enumerable.Range(3, 3).Sum(Accepted);
        Assert.InRange(visitorsAccepted, 1, HardenedHostFixture.SubmissionsPerHour);
        Assert.Equal(1_000 - 3 * HardenedHostFixture.SubmissionsPerIdentityPerDay - visitorsAccepted,
            statuses.Where(s => s.Key.Status == HttpStatusCode.TooManyRequests).Sum(s => s.Value));

        // An admin approves one "x z": it becomes a paper of today's list, not of the front page.
        using var admin = await host.KeyClientAsync();
        // (Only this test's: the fuzz, sharing the host, submits "x z" too.)
        var pending = (await admin.GetFromJsonAsync<List<SubmissionDto>>("/api/admin/submissions?status=pending&limit=200"))!.Where(s => s.SubmittedAt >= started).ToList();
        Assert.Equal(3 * HardenedHostFixture.SubmissionsPerIdentityPerDay + visitorsAccepted, pending.Count(s => s.Title!.StartsWith("x z", StringComparison.Ordinal)));
        var approved = pending.First(s => s.Title == "x z");
        (await admin.PostAsync($"/api/admin/submissions/{approved.Id}/approve", null)).EnsureSuccessStatusCode();
        using var reader = host.ClientFrom("198.51.100.22");
        await Eventually.UntilAsync(async () => (await reader.GetFromJsonAsync<List<Item>>($"/api/daily_papers?date={Today}&limit=100"))!.Any(i => i.Paper.Title == "x z"),
            TimeSpan.FromSeconds(60), "the approved submission on today's list");

        var front = (await reader.GetFromJsonAsync<List<JsonElement>>("/api/daily_papers"))!;
        Assert.Equal(50, front.Count);
        // (Hugging Face's timestamp format: 2025-11-07T00:00:00.000Z.)
        Assert.All(front, i => Assert.Equal(HardenedHostFixture.SampleDay + "T00:00:00.000Z", i.GetProperty("paper").GetProperty("submittedOnDailyAt").GetString()));
        Assert.DoesNotContain(front, i => i.GetProperty("title").GetString()!.StartsWith("x z", StringComparison.Ordinal));
        var trending = (await reader.GetFromJsonAsync<List<Item>>("/api/daily_papers?sort=trending&limit=100"))!;
        Assert.Equal(LocalHostFixture.SamplePapers, trending.Count);
        Assert.DoesNotContain(trending, i => i.Paper.Title.StartsWith("x z", StringComparison.Ordinal));
        foreach (var client in identities)
            client.Dispose();
    }

    /// <summary>
    /// Issue 10.3: subscribing someone else's address returned their token and replaced their topics,
    /// re-activated unsubscribed addresses, mailed before any confirmation, and anyone could run digests.
    /// </summary>
    [Fact]
    public async Task Item3_subscriptions_can_be_hijacked_and_the_platform_relays_spam()
    {
        var victim = $"victim-{Guid.NewGuid():N}@example.org";
        using (var own = host.ClientFrom("198.51.100.31"))
            Assert.Equal(HttpStatusCode.Accepted, (await own.PostAsJsonAsync("/api/subscriptions", new { email = victim, topics = new[] { "quantization" } })).StatusCode);
        await ConfirmAsync(victim, "198.51.100.31");
        var original = await SubscriberAsync(victim);
        Assert.True(original.Active);
        var mailsBefore = host.MailsTo(victim).Count;

        // The hijack: the victim's address with other topics, from the attacker's own address.
        using var attacker = host.ClientFrom("203.0.113.66");
        using var hijack = await attacker.PostAsJsonAsync("/api/subscriptions", new
        {
            email = victim,
            topics = new[] { "cs.CR" },
            customTopics = new[] { new { name = "attacker's", description = "anything at all" } },
        });
        using var fresh = await attacker.PostAsJsonAsync("/api/subscriptions", new { email = $"nobody-{Guid.NewGuid():N}@example.org", topics = new[] { "cs.CR" } });
        Assert.Equal(HttpStatusCode.Accepted, hijack.StatusCode);
        var hijackBody = await hijack.Content.ReadAsStringAsync();
        Assert.Equal(await fresh.Content.ReadAsStringAsync(), hijackBody);
        Assert.DoesNotContain(original.UnsubscribeToken, hijackBody, StringComparison.Ordinal);
        Assert.DoesNotContain("quantization", hijackBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("token", hijackBody, StringComparison.OrdinalIgnoreCase);
        var afterHijack = await SubscriberAsync(victim);
        Assert.Equal((true, original.UnsubscribeToken, original.ConfirmedAt), (afterHijack.Active, afterHijack.UnsubscribeToken, afterHijack.ConfirmedAt));
        Assert.Equal(["quantization"], afterHijack.Topics);
        Assert.Empty(afterHijack.TopicDefinitions);
        Assert.Equal(mailsBefore, host.MailsTo(victim).Count);

        // What changes a subscription is the signed manage link mailed to its owner; a tampered one changes nothing.
        var manage = new Uri(host.Services.GetRequiredService<SubscriptionLinks>().ManageUrl(afterHijack)).PathAndQuery;
        var tampered = manage[..^3] + (manage[^3] == 'A' ? "B" : "A") + manage[^2..];
        using (var forgedChange = await attacker.PutAsJsonAsync(tampered, new { topics = new[] { "cs.CR" } }))
            Assert.Equal(HttpStatusCode.BadRequest, forgedChange.StatusCode);
        using (var forgedView = await attacker.GetAsync(tampered))
            Assert.Equal(HttpStatusCode.BadRequest, forgedView.StatusCode);
        Assert.Equal(["quantization"], (await SubscriberAsync(victim)).Topics);
        using (var own = host.ClientFrom("198.51.100.31"))
        {
            using var change = await own.PutAsJsonAsync(manage, new { topics = new[] { "quantization", "cs.CL" } });
            Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        }
        Assert.Equal(["quantization", "cs.CL"], (await SubscriberAsync(victim)).Topics);

        // An address that unsubscribed is not re-activated by someone else subscribing it.
        var leaver = $"leaver-{Guid.NewGuid():N}@example.org";
        using (var own = host.ClientFrom("198.51.100.32"))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await own.PostAsJsonAsync("/api/subscriptions", new { email = leaver, topics = new[] { "cs.CL" } })).StatusCode);
            await ConfirmAsync(leaver, "198.51.100.32");
            // Two days back, so a digest would be due now were it not for the unsubscribe below.
            await host.ConfirmedTwoDaysAgoAsync(leaver);
            var token = (await SubscriberAsync(leaver)).UnsubscribeToken;
            // Opening the link only shows a button (link scanners open links); the POST unsubscribes.
            (await own.GetAsync($"/api/subscriptions/unsubscribe?token={token}")).EnsureSuccessStatusCode();
            Assert.True((await SubscriberAsync(leaver)).Active);
            (await own.PostAsync($"/api/subscriptions/unsubscribe?token={token}", null)).EnsureSuccessStatusCode();
        }
        Assert.False((await SubscriberAsync(leaver)).Active);
        Assert.Equal(HttpStatusCode.Accepted, (await attacker.PostAsJsonAsync("/api/subscriptions", new { email = leaver, topics = new[] { "quantization" } })).StatusCode);
        Assert.False((await SubscriberAsync(leaver)).Active);

        // Nothing but the confirmation request goes to an address before its owner confirms, however often it is asked.
        var stranger = $"stranger-{Guid.NewGuid():N}@example.org";
        for (var i = 0; i < 3; i++)
        {
            using var client = host.ClientFrom($"203.0.113.{70 + i}");
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/subscriptions", new { email = stranger, topics = new[] { "quantization" } })).StatusCode);
        }
        using var admin = await host.KeyClientAsync();
        (await admin.PostAsync("/api/digests/run", null)).EnsureSuccessStatusCode();
        var strangerMails = host.MailsTo(stranger);
        Assert.Equal("Confirm your Papers digest", Assert.Single(strangerMails).Subject);
        Assert.False((await SubscriberAsync(stranger)).Active);
        Assert.DoesNotContain(host.MailsTo(leaver), m => m.Subject?.StartsWith("Papers digest", StringComparison.Ordinal) == true);

        // Relaying: one client asking for 30 addresses gets at most the hourly limit of mails sent.
        using var spammer = host.ClientFrom("203.0.113.80");
        var targets = Enumerable.Range(0, 30).Select(i => $"spam-{i}-{Guid.NewGuid():N}@example.org").ToList();
        var relayed = new List<HttpStatusCode>();
        foreach (var target in targets)
        {
            using var response = await spammer.PostAsJsonAsync("/api/subscriptions", new { email = target, topics = new[] { "cs.CL" } });
            relayed.Add(response.StatusCode);
        }
        Assert.Equal(HardenedHostFixture.SubscriptionsPerHour, relayed.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(30 - HardenedHostFixture.SubscriptionsPerHour, relayed.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(HardenedHostFixture.SubscriptionsPerHour, targets.Sum(t => host.MailsTo(t).Count));

        // Running digests is for admins only.
        using var anonymous = host.ClientFrom("203.0.113.81");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/digests/run", null)).StatusCode);
        using var visitor = await host.VisitorClientAsync("203.0.113.82");
        Assert.Equal(HttpStatusCode.Forbidden, (await visitor.PostAsync("/api/digests/run", null)).StatusCode);
        using var voter = host.KeyClient(await host.IssueKeyAsync(1_000, Scopes.Vote, Scopes.Submit), "203.0.113.83");
        Assert.Equal(HttpStatusCode.Forbidden, (await voter.PostAsync("/api/digests/run", null)).StatusCode);
        using var forged = host.KeyClient("pk_000000000000_" + new string('A', 43), "203.0.113.84");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.PostAsync("/api/digests/run", null)).StatusCode);
    }

    /// <summary>
    /// Issue 10.4: <c>X-Voter-Id</c> was trusted (50 values, 50 votes), and behind a proxy every web
    /// user shared one address-based vote. Now: one vote per identity per paper, idempotent and
    /// undoable; fresh cookies from one address add at most the hourly vote limit.
    /// </summary>
    [Fact]
    public async Task Item4_votes_can_be_stuffed()
    {
        using var reader = host.ClientFrom("198.51.100.41");
        var papers = (await reader.GetFromJsonAsync<List<Item>>($"/api/daily_papers?date={HardenedHostFixture.SampleDay}&limit=10"))!;
        var paper = papers[5].Paper.Id;
        async Task<int> Upvotes(string id) => (await reader.GetFromJsonAsync<LocalHostFixture.Paper>($"/api/papers/{id}"))!.Upvotes;
        var start = await Upvotes(paper);

        // 50 forged voter ids without credentials: refused, nothing counted.
        using var anonymous = host.ClientFrom("198.51.100.42");
        var forged = new List<HttpStatusCode>();
        for (var i = 0; i < 50; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/papers/{paper}/upvote");
            request.Headers.Add("X-Voter-Id", $"voter-{i}");
            using var response = await anonymous.SendAsync(request);
            forged.Add(response.StatusCode);
        }
        Assert.All(forged, s => Assert.Contains(s, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        Assert.Equal(start, await Upvotes(paper));

        // One visitor, 50 forged voter ids: one vote.
        using var visitor = await host.VisitorClientAsync("198.51.100.43");
        var counted = 0;
        for (var i = 0; i < 50; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/papers/{paper}/upvote");
            request.Headers.Add("X-Voter-Id", $"voter-{i}");
            using var response = await visitor.SendAsync(request);
            if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<VoteResult>())!.Counted)
                counted++;
            else
                Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.TooManyRequests, $"{response.StatusCode}");
        }
        Assert.Equal(1, counted);
        Assert.Equal(start + 1, await Upvotes(paper));

        // Without the antiforgery token, or with a forged one, a cookie vote is refused.
        using var noToken = host.ClientFrom("198.51.100.44");
        await noToken.GetAsync("/api/session");
        Assert.Equal(HttpStatusCode.BadRequest, (await noToken.PostAsync($"/api/papers/{paper}/upvote", null)).StatusCode);
        noToken.DefaultRequestHeaders.Add(Visitors.AntiforgeryHeader, "CfDJ8forged");
        Assert.Equal(HttpStatusCode.BadRequest, (await noToken.PostAsync($"/api/papers/{paper}/upvote", null)).StatusCode);
        Assert.Equal(start + 1, await Upvotes(paper));

        // Undoable, and idempotent both ways (another person: the first one spent the address's hourly votes above).
        using var undoer = await host.VisitorClientAsync("198.51.100.40");
        Assert.True((await VoteAsync(undoer, HttpMethod.Post, paper)).Counted);
        Assert.False((await VoteAsync(undoer, HttpMethod.Post, paper)).Counted);
        Assert.Equal(start + 2, await Upvotes(paper));
        Assert.True((await VoteAsync(undoer, HttpMethod.Delete, paper)).Counted);
        Assert.False((await VoteAsync(undoer, HttpMethod.Delete, paper)).Counted);
        Assert.Equal(start + 1, await Upvotes(paper));

        // 50 fresh cookies from one address: the new-visitor limit, then the address's hourly vote limit.
        const string stuffer = "198.51.100.45";
        var sessions = new List<HttpClient>();
        for (var i = 0; i < 50; i++)
        {
            var client = host.ClientFrom(stuffer);
            using var response = await client.GetAsync("/api/session");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var session = (await response.Content.ReadFromJsonAsync<VisitorSession>())!;
                client.DefaultRequestHeaders.Add(session.HeaderName, session.AntiforgeryToken);
                sessions.Add(client);
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                client.Dispose();
            }
        }
        Assert.Equal(HardenedHostFixture.NewVisitorsPerHour, sessions.Count);
        await Task.Delay(HardenedHostFixture.Window); // the per-window write limit is not what this shows
        var stuffed = await Task.WhenAll(sessions.Select(async s =>
        {
            using var response = await s.PostAsync($"/api/papers/{paper}/upvote", null);
            return response.StatusCode;
        }));
        Assert.Equal(HardenedHostFixture.VotesPerHour, stuffed.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(start + 1 + HardenedHostFixture.VotesPerHour, await Upvotes(paper));
        sessions.ForEach(s => s.Dispose());

        // Behind the proxy, people are told apart by their cookie, not by the proxy's address.
        var other = papers[6].Paper.Id;
        var otherStart = await Upvotes(other);
        var otherVotes = await host.QueryAsync<ApiDbContext, int>(db => db.Votes.CountAsync(v => v.PaperId == other));
        foreach (var address in new[] { "198.51.100.46", "198.51.100.47", "198.51.100.47" })
        {
            using var person = await host.VisitorClientAsync(address);
            Assert.True((await VoteAsync(person, HttpMethod.Post, other)).Counted);
        }
        Assert.Equal(otherStart + 3, await Upvotes(other));

        // Counts are atomic: one identity's 8 racing votes count once; 8 keys' racing votes count 8 times.
        using var racer = await host.VisitorClientAsync("198.51.100.48");
        var raced = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => VoteAsync(racer, HttpMethod.Post, other)));
        Assert.Equal(1, raced.Count(r => r.Counted));
        var voters = new List<HttpClient>();
        for (var i = 0; i < 8; i++)
            voters.Add(host.KeyClient(await host.IssueKeyAsync(1_000, Scopes.Vote), "198.51.100.49"));
        Assert.All(await Task.WhenAll(voters.Select(v => VoteAsync(v, HttpMethod.Post, other))), r => Assert.True(r.Counted));
        Assert.Equal(otherStart + 3 + 1 + 8, await Upvotes(other));
        Assert.All(await Task.WhenAll(voters.Select(v => VoteAsync(v, HttpMethod.Delete, other))), r => Assert.True(r.Counted));
        Assert.Equal(otherStart + 3 + 1, await Upvotes(other));
        Assert.Equal(otherVotes + 3 + 1, await host.QueryAsync<ApiDbContext, int>(db => db.Votes.CountAsync(v => v.PaperId == other)));
        voters.ForEach(v => v.Dispose());
    }

    /// <summary>
    /// Issue 10.5: no authentication, keys, limits or limit headers, and one <c>/embed</c> request of
    /// 256 texts of 100k characters burned ~19 s of CPU.
    /// </summary>
    [Fact]
    public async Task Item5_no_limits_at_all()
    {
        // Changing things needs an identity; operators' endpoints need the admin scope.
        using var anonymous = host.ClientFrom("198.51.100.51");
        var paper = (await anonymous.GetFromJsonAsync<List<Item>>($"/api/daily_papers?date={HardenedHostFixture.SampleDay}&limit=1"))!.Single().Paper.Id;
        foreach (var (method, path) in new[] { ("POST", "/api/papers/submit"), ("POST", $"/api/papers/{paper}/upvote"), ("DELETE", $"/api/papers/{paper}/upvote"),
                     ("GET", "/api/admin/submissions"), ("GET", "/api/admin/keys"), ("POST", "/api/admin/keys"), ("POST", "/api/digests/run"), ("GET", "/api/ingest/status") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { title = "t", summary = "s" }) };
            using var response = await anonymous.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        using var reader = host.KeyClient(await host.IssueKeyAsync(1_000), "198.51.100.51");
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/api/admin/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync($"/api/papers/{paper}/upvote", null)).StatusCode);

        // Keys are issued with scopes and a quota, and the quota is applied and announced.
        using var admin = await host.KeyClientAsync();
        using var issued = await admin.PostAsJsonAsync("/api/admin/keys", new { name = "small quota", scopes = new[] { "vote" }, requestsPerMinute = 12 });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var key = (await issued.Content.ReadFromJsonAsync<IssuedKey>())!;
        Assert.Equal(["vote"], key.Info.Scopes);
        using var small = host.KeyClient(key.Key, "198.51.100.52");
        Assert.Equal(HttpStatusCode.OK, (await small.GetAsync("/api/papers?limit=1")).StatusCode);
        (await admin.DeleteAsync($"/api/admin/keys/{key.Info.Id}")).EnsureSuccessStatusCode();
        using var revoked = host.KeyClient(key.Key, "198.51.100.53");
        Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("/api/papers?limit=1")).StatusCode);
        await HardenedHostFixture.InOneWindowAsync(async attempt =>
        {
            using var response = await admin.PostAsJsonAsync("/api/admin/keys", new { name = $"small quota {attempt}", scopes = new[] { "vote" }, requestsPerMinute = 12 });
            using var quota = host.KeyClient((await response.Content.ReadFromJsonAsync<IssuedKey>())!.Key, $"198.51.{100 + attempt}.52");
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 30; i++)
            {
                using var read = await quota.GetAsync("/api/papers?limit=1");
                statuses.Add(read.StatusCode);
                Assert.Equal($"\"read\";q=12;w={(int)HardenedHostFixture.Window.TotalSeconds}", read.Headers.GetValues("RateLimit-Policy").Single());
                if (read.StatusCode == HttpStatusCode.TooManyRequests)
                    Assert.InRange(int.Parse(read.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, (int)HardenedHostFixture.Window.TotalSeconds);
            }
            Assert.Equal(12, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(18, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        });

        // Anonymous clients are limited by address, with the headers on every response.
        await HardenedHostFixture.InOneWindowAsync(async attempt =>
        {
            using var burst = host.ClientFrom($"198.51.{100 + attempt}.54");
            var burstStatuses = new List<HttpStatusCode>();
            for (var i = 0; i < HardenedHostFixture.AnonymousReads + 5; i++)
            {
                using var response = await burst.GetAsync("/api/papers?limit=1");
                Assert.True(response.Headers.Contains("RateLimit"), $"request {i}: no RateLimit header");
                burstStatuses.Add(response.StatusCode);
            }
            Assert.Equal(5, burstStatuses.Count(s => s == HttpStatusCode.TooManyRequests));
        });

        // /embed: bounded before any model work. The attack's own request is refused for its size, fast.
        using var embedder = host.KeyClient(await host.IssueKeyAsync(1_000_000), "198.51.100.55");
        var watch = Stopwatch.StartNew();
        var huge = Enumerable.Repeat(new string('a', 100_000), 256).ToArray();
        var attack = JsonSerializer.SerializeToUtf8Bytes(new { texts = huge });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await SendRefusedLargeAsync(embedder, "/embed", attack));
        using (var response = await embedder.PostAsJsonAsync("/embed", new { texts = Enumerable.Repeat(new string('a', 10_001), 64) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("texts[0]", await response.Content.ReadAsStringAsync());
        }
        using (var response = await embedder.PostAsJsonAsync("/embed", new { texts = Enumerable.Repeat("short", 65) }))
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"refusing oversized embedding requests took {watch.Elapsed}");
        // Each text is model work and costs a permit: an anonymous client embeds at most its limit of texts a window.
        using (var anonymousEmbedder = host.ClientFrom("198.51.100.56"))
        using (var response = await anonymousEmbedder.PostAsJsonAsync("/embed", new { texts = Enumerable.Repeat("a text", HardenedHostFixture.AnonymousEmbeds + 1) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains($"at most {HardenedHostFixture.AnonymousEmbeds} in one request", await response.Content.ReadAsStringAsync());
        }
        var texts = Enumerable.Repeat("a text about quantization", 3).ToArray();
        await HardenedHostFixture.InOneWindowAsync(async attempt =>
        {
            using var fresh = host.ClientFrom($"198.51.{100 + attempt}.57");
            using (var response = await fresh.PostAsJsonAsync("/embed", new { texts }))
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using (var response = await fresh.PostAsJsonAsync("/embed", new { texts }))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                await Task.Delay(TimeSpan.FromSeconds((int)response.Headers.RetryAfter!.Delta!.Value.TotalSeconds));
            }
            using (var response = await fresh.PostAsJsonAsync("/embed", new { texts }))
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }, windows: 2);

        // The largest request allowed (with a key of a large quota) costs what 64 texts of 256 tokens cost.
        watch.Restart();
        using (var response = await embedder.PostAsJsonAsync("/embed", new { texts = Enumerable.Range(0, 64).Select(i => string.Concat(Enumerable.Repeat($"word{i} ", 2_000))[..10_000]) }))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        output.WriteLine($"the largest /embed request allowed (64 texts of 10,000 characters) took {watch.Elapsed.TotalSeconds:0.00} s");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"the largest allowed /embed request took {watch.Elapsed}");
    }

    /// <summary>Issue 10.6: far weeks and months overflowed the date, a deep page a negative OFFSET, and racing subscriptions the unique index.</summary>
    [Fact]
    public async Task Item6_three_5xx()
    {
        using var client = host.ClientFrom("198.51.100.61");
        foreach (var (query, named) in new[]
                 {
                     ("week=9999-W52", "\"week\""), ("week=9999-W01", "\"week\""), ("week=10000-W01", "\"week\""), ("month=10000-01", "\"month\""), ("month=9999-13", "\"month\""),
                     ("p=21474837&limit=100", "\"p\""), ("p=2147483647&limit=100", "\"p\""), ("p=-1", "\"p\""), ("limit=0", "\"limit\""), ("limit=-2147483648", "\"limit\""),
                     ("p=2147483648", "int p"), ("limit=1e3", "int limit"), ("date=9999-12-32", "\"date\""), ("date=10000-01-01", "\"date\""),
                 })
        {
            using var response = await client.GetAsync($"/api/daily_papers?{query}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(named, body);
        }
        // The last and first days, weeks and months a date can name are answered, empty (9999-12 has no overflow left to hit).
        foreach (var query in new[] { "date=9999-12-31", "month=9999-12", "date=0001-01-01", "week=0001-W01", "month=0001-01", "week=9998-W52", "month=9998-12" })
        {
            using var response = await client.GetAsync($"/api/daily_papers?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("[]", await response.Content.ReadAsStringAsync());
        }

        // Found by the fuzz's sweep: an arXiv version no int holds threw out of ArxivId.TryParse (a 500 wherever an id is read).
        using var submitter = host.KeyClient(await host.IssueKeyAsync(1_000, Scopes.Submit), "198.51.100.61");
        using (var response = await submitter.PostAsJsonAsync("/api/papers/submit", new { arxivId = "2510.01234v99999999999" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("arxivId", await response.Content.ReadAsStringAsync());
        }
        using (var response = await client.PostAsJsonAsync("/api/subscriptions", new
        {
            email = $"versions-{Guid.NewGuid():N}@example.org",
            customTopics = new[] { new { name = "mine", examples = new[] { "2510.01234v99999999999" } } },
        }))
        {
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        // 8 racing subscriptions of one new address: eight identical answers, one subscriber, one mail.
        var email = $"racer-{Guid.NewGuid():N}@example.org";
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var racer = host.ClientFrom($"198.51.100.{62 + i}");
            using var response = await racer.PostAsJsonAsync("/api/subscriptions", new { email, topics = new[] { "quantization", $"topic {i}" } });
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single(responses.Select(r => r.Body).Distinct());
        Assert.Equal(1, await host.QueryAsync<NotificationsDbContext, int>(db => db.Subscribers.CountAsync(s => s.Email == email)));
        await Eventually.UntilAsync(() => Task.FromResult(host.MailsTo(email).Count >= 1), TimeSpan.FromSeconds(10), "the confirmation mail");
        Assert.Single(host.MailsTo(email));
    }

    /// <summary>
    /// Issue 10.7: the submitter was an unsalted hash of the client address; undeliverable addresses
    /// were accepted; 50,000 custom topics were processed before being refused; errors echoed megabytes;
    /// links came from the Host header; the page had no security headers.
    /// </summary>
    [Fact]
    public async Task Item7_smaller_ones()
    {
        // Pseudonymous submitters: v- for a visitor, k- for a key; in responses and in the events the read model is built from.
        using var admin = await host.KeyClientAsync();
        using var visitor = await host.VisitorClientAsync("198.51.100.71");
        var key = await host.IssueKeyAsync(1_000, Scopes.Submit);
        Assert.True(ApiKeyFormat.TryParse(key, out var keyIdPart, out _));
        var keyId = "k-" + keyIdPart;
        using var submitter = host.KeyClient(key, "198.51.100.71");
        var byVisitor = await SubmitAsync(visitor, new { title = $"Pseudonyms probe {Guid.NewGuid():N}", summary = "On submitters." }, HttpStatusCode.Accepted);
        var title = $"Pseudonyms probe {Guid.NewGuid():N}";
        var byKey = await SubmitAsync(submitter, new { title, summary = "On submitters, by key." }, HttpStatusCode.Accepted);
        var listed = (await admin.GetFromJsonAsync<List<SubmissionDto>>("/api/admin/submissions?status=pending&limit=200"))!;
        Assert.Matches("^v-[0-9a-f]{24}$", listed.Single(s => s.Id == byVisitor.SubmissionId).SubmittedBy);
        Assert.Equal(keyId, listed.Single(s => s.Id == byKey.SubmissionId).SubmittedBy);
        Assert.DoesNotContain(listed, s => s.SubmittedBy.Contains("127.0.0.1", StringComparison.Ordinal) || s.SubmittedBy.Contains("198.51", StringComparison.Ordinal));
        (await admin.PostAsync($"/api/admin/submissions/{byKey.SubmissionId}/approve", null)).EnsureSuccessStatusCode();
        using var reader = host.ClientFrom("198.51.100.72");
        var item = await Eventually.UntilAsync(async () => (await reader.GetFromJsonAsync<List<JsonElement>>($"/api/daily_papers?date={Today}&limit=100"))!
            .FirstOrDefault(i => i.GetProperty("title").GetString() == title), i => i.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(60), "the approved paper");
        // A user-shaped object, as Hugging Face's: the key's pseudonym, never its name or the caller's address.
        Assert.Equal(keyId, item.GetProperty("submittedBy").GetProperty("_id").GetString());
        Assert.Equal("key", item.GetProperty("submittedBy").GetProperty("type").GetString());

        // Addresses: refused up front when no digest could reach them; IDN domains as punycode.
        using var subscriber = host.ClientFrom("198.51.100.73");
        var tooLong = new string('a', 64) + "@" + string.Join(".", Enumerable.Repeat(new string('b', 60), 5)) + "." + new string('c', 32) + ".org";
        Assert.Equal(406, tooLong.Length);
        foreach (var bad in new[] { tooLong, "jörg@example.org", "name@example", "a@b@example.org", "Someone <someone@example.org>", "someone@[127.0.0.1]", "dot.@example.org", "" })
        {
            using var response = await subscriber.PostAsJsonAsync("/api/subscriptions", new { email = bad, topics = new[] { "cs.CL" } });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"'{bad}': {(int)response.StatusCode} {body}");
            Assert.Contains("\"email\"", body);
            Assert.True(body.Length < 1_000, body);
        }
        var idn = $"leser-{Guid.NewGuid():N}@bücher.example";
        Assert.Equal(HttpStatusCode.Accepted, (await subscriber.PostAsJsonAsync("/api/subscriptions", new { email = idn, topics = new[] { "cs.CL" } })).StatusCode);
        var punycode = idn.Replace("bücher", "xn--bcher-kva", StringComparison.Ordinal);
        Assert.Equal(1, await host.QueryAsync<NotificationsDbContext, int>(db => db.Subscribers.CountAsync(s => s.Email == punycode)));
        // (MimeKit shows a punycode domain decoded: look at the file as written.)
        Assert.Single(Directory.EnumerateFiles(host.MailDirectory, "*.eml"), f => File.ReadAllText(f).Contains($"To: {punycode}", StringComparison.Ordinal));

        // 50,000 custom topics (or topics) are counted and refused before any query.
        using var many = host.ClientFrom("198.51.100.76");
        using var probe = new DbCommandProbe();
        foreach (var body in new[]
                 {
                     "{\"email\":\"many@example.org\",\"customTopics\":[" + string.Join(",", Enumerable.Repeat("{}", 50_000)) + "]}",
                     "{\"email\":\"many@example.org\",\"topics\":[" + string.Join(",", Enumerable.Repeat("\"\"", 50_000)) + "]}",
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/subscriptions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            var marker = DbCommandProbe.Mark(request);
            var watch = Stopwatch.StartNew();
            using var response = await many.SendAsync(request);
            output.WriteLine($"{body.Length:N0} bytes of topics refused in {watch.ElapsedMilliseconds} ms");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("50000", await response.Content.ReadAsStringAsync());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"refusing took {watch.Elapsed}");
            Assert.Empty(probe.CommandsOf(marker));
        }
        // The probe sees the queries of a request that does reach the database.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/subscriptions") { Content = JsonContent.Create(new { email = $"probe-{Guid.NewGuid():N}@example.org", topics = new[] { "cs.CL" } }) })
        {
            var marker = DbCommandProbe.Mark(request);
            using var response = await many.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Contains(probe.CommandsOf(marker), c => c.Context == nameof(NotificationsDbContext));
        }

        // Errors echo at most 100 characters of what was sent; a megabyte of query or body is refused by size.
        using var echo = host.ClientFrom("198.51.100.74");
        var longValue = new string('Q', 7_000);
        foreach (var path in new[] { $"/api/daily_papers?sort={longValue}", $"/api/daily_papers?date={longValue}", $"/api/papers?cursor={longValue}", $"/api/admin/submissions?status={longValue}" })
        {
            using var response = path.Contains("admin", StringComparison.Ordinal) ? await admin.GetAsync(path) : await echo.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.DoesNotContain(new string('Q', 101), body, StringComparison.Ordinal);
            Assert.Contains(new string('Q', 100), body, StringComparison.Ordinal);
        }
        using (var response = await echo.GetAsync("/api/daily_papers?sort=" + new string('Q', 1 << 20)))
        {
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{response.StatusCode}");
            Assert.True((await response.Content.ReadAsStringAsync()).Length < 1_000);
        }
        foreach (var (path, body) in new (string, object)[]
                 {
                     ("/api/papers/submit", new { arxivId = new string('Q', 60_000) }),
                     ("/api/subscriptions", new { email = new string('Q', 60_000), topics = new[] { "cs.CL" } }),
                     ("/api/subscriptions", new { email = "someone@example.org", customTopics = new[] { new { name = new string('Q', 60_000) } } }),
                 })
        {
            using var response = await (path.Contains("submit", StringComparison.Ordinal) ? admin : echo).PostAsJsonAsync(path, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.DoesNotContain(new string('Q', 101), text, StringComparison.Ordinal);
            Assert.True(text.Length < 2_000, text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var megabyte = JsonSerializer.SerializeToUtf8Bytes(new { title = new string('Q', 1 << 20), summary = "s" });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await SendRefusedLargeAsync(admin, "/api/papers/submit", megabyte));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await SendRefusedLargeAsync(echo, "/api/subscriptions", megabyte));

        // Links in mails come from PublicSite:BaseUrl, whatever Host the request named.
        var linked = $"linked-{Guid.NewGuid():N}@example.org";
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/subscriptions") { Content = JsonContent.Create(new { email = linked, topics = new[] { "cs.CL" } }) })
        {
            request.Headers.Host = "evil.example";
            request.Headers.Add("X-Forwarded-Host", "evil.example");
            using var linker = host.ClientFrom("198.51.100.77");
            Assert.Equal(HttpStatusCode.Accepted, (await linker.SendAsync(request)).StatusCode);
        }
        var mail = Assert.Single(host.MailsTo(linked));
        Assert.Contains($"{HardenedHostFixture.PublicBaseUrl}/api/subscriptions/confirm?token=", mail.TextBody);
        Assert.DoesNotContain("evil.example", mail.TextBody + mail.HtmlBody, StringComparison.Ordinal);

        // The page: a CSP without inline script, no sniffing, no framing.
        using var browser = host.ClientFrom("198.51.100.75");
        using var page = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        var scriptSrc = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.DoesNotContain("'unsafe-inline'", scriptSrc, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-eval'", scriptSrc, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", html);
        // The other HTML the platform serves (the confirmation page) and its errors carry them too.
        foreach (var path in new[] { "/api/subscriptions/confirm?token=forged", "/app.js", "/api/papers/0000.00000" })
        {
            using var response = await browser.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    private async Task ConfirmAsync(string email, string address)
    {
        var link = await Eventually.UntilAsync(() => Task.FromResult(host.MailsTo(email).Select(m => System.Text.RegularExpressions.Regex.Match(m.TextBody ?? "", @"/api/subscriptions/confirm\?token=\S+")).FirstOrDefault(m => m.Success)?.Value),
            l => l is not null, TimeSpan.FromSeconds(30), $"a confirmation mail to {email}");
        using var client = host.ClientFrom(address);
        (await client.GetAsync(link)).EnsureSuccessStatusCode();
        (await client.PostAsync(link, null)).EnsureSuccessStatusCode();
    }

    private Task<Subscriber> SubscriberAsync(string email) =>
        host.QueryAsync<NotificationsDbContext, Subscriber>(db => db.Subscribers.AsNoTracking().SingleAsync(s => s.Email == email));

    private static async Task<Submitted> SubmitAsync(HttpClient client, object body, params HttpStatusCode[] expected)
    {
        using var response = await client.PostAsJsonAsync("/api/papers/submit", body);
        Assert.True(expected.Contains(response.StatusCode), $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Submitted>())!;
    }

    private static async Task<VoteResult> VoteAsync(HttpClient client, HttpMethod method, string paper)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(method, $"/api/papers/{paper}/upvote"));
        Assert.True(response.IsSuccessStatusCode, $"{method} vote: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<VoteResult>())!;
    }

    /// <summary>
    /// Sends a JSON body larger than the endpoint takes, twice: as an attacker would, when the server
    /// may answer 413 and close the connection before the body is all sent (the client then sees the
    /// connection reset, not the answer); and with <c>Expect: 100-continue</c>, which lets the client
    /// read the answer the server gives before it reads a byte. Returns the latter's status.
    /// </summary>
    internal static async Task<HttpStatusCode> SendRefusedLargeAsync(HttpClient client, string path, byte[] body)
    {
        foreach (var expectContinue in new[] { false, true })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.ExpectContinue = expectContinue;
            try
            {
                using var response = await client.SendAsync(request);
                if (expectContinue)
                    return response.StatusCode;
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            }
            catch (HttpRequestException e) when (!expectContinue && e.InnerException is IOException)
            {
                // The server stopped reading: refused before the body was all sent.
            }
        }
        throw new InvalidOperationException("unreachable");
    }

    private sealed record Submitted(Guid SubmissionId, string? PaperId, string Status, string? ListedOn);

    private sealed record SubmissionDto(Guid Id, string Status, string? Title, string SubmittedBy, DateTime SubmittedAt);

    private sealed record VoteResult(string PaperId, int Upvotes, bool Counted, bool Voted);

    private sealed record IssuedKey(string Key, KeyInfo Info);

    private sealed record KeyInfo(string Id, List<string> Scopes, int RequestsPerMinute);
}
