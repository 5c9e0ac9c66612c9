using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Papers.Api.Data;
using Papers.Api.Tests;
using Papers.Notifications.Data;
using Papers.Notifications.Subscriptions;

namespace Papers.EndToEnd.Tests;

/// <summary>
/// A "for you" digest in the all-in-one host, end to end: sign-in through a real OpenID Connect
/// provider, the account linked to the subscription of its address only once the provider verified
/// it, the library's recommendations mailed through the real SMTP sink with the saved papers each
/// resembles, nobody else's token or key reaching that library, and deleting the account untying it.
/// </summary>
public sealed class ForYouDigestTests : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private AccountsOidcProvider _provider = null!;
    private LocalHost _host = null!;

    public async Task InitializeAsync()
    {
        _provider = await AccountsOidcProvider.StartAsync();
        var smtp = Environment.GetEnvironmentVariable("PAPERS_TEST_SMTP") ?? "127.0.0.1:25";
        _host = new LocalHost(Directory.CreateTempSubdirectory("papers-foryou-").FullName, new Dictionary<string, string?>(_provider.ApiSettings())
        {
            ["Mail:Transport"] = "Smtp",
            ["Mail:Smtp:Host"] = smtp.Split(':')[0],
            ["Mail:Smtp:Port"] = smtp.Split(':')[1],
            ["Mail:Connections"] = "2",
        });
        _host.StartServer();
        // The browser reaches the host on its real port, and so does the provider's redirect.
        _provider.RedirectUri = new Uri(_host.Address, "/signin-oidc").ToString();
        await _host.WaitForSampleEnrichedAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _provider.DisposeAsync();
        try { Directory.Delete(_host.DataDirectory, recursive: true); }
        catch (IOException) { /* SQLite may still hold a file; the temp cleaner takes it */ }
    }

    /// <summary>What the SMTP sink holds for <paramref name="email"/> (its Maildir).</summary>
    private static IReadOnlyList<MimeMessage> Sink(string email)
    {
        var folder = Path.Combine(Environment.GetEnvironmentVariable("PAPERS_TEST_MAILDIR")!, "new");
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder).Select(f => MimeMessage.Load(f)).Where(m => m.To.Mailboxes.Any(a => a.Address == email))]
            : [];
    }

    private async Task<SignInBrowser> SignInAsync(string email, bool verified)
    {
        _provider.User = new AccountsOidcProvider.Person("reader-" + _run, email, verified);
        // A real socket: the factory's client would follow the redirects itself; this one keeps cookies and shows them.
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = _host.Address };
        var browser = new SignInBrowser(client, _provider);
        await browser.SessionAsync();
        await browser.SignInAsync();
        return browser;
    }

    /// <summary>A confirmed subscriber, and the manage link a digest would carry.</summary>
    private async Task<(Subscriber Subscriber, string Token)> SubscribeAsync(string email)
    {
        using var visitor = await _host.VisitorClientAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await visitor.PostAsJsonAsync("/api/subscriptions", new { email, topics = new[] { "cs.LG" } })).StatusCode);
        await _host.ConfirmSubscriptionAsync(email, Sink);
        await _host.ConfirmedTwoDaysAgoAsync(email);
        var subscriber = await _host.QueryAsync<NotificationsDbContext, Subscriber>(db => db.Subscribers.AsNoTracking().SingleAsync(s => s.Email == email));
        var url = _host.Services.GetRequiredService<SubscriptionLinks>().ManageUrl(subscriber);
        return (subscriber, Uri.UnescapeDataString(url[(url.IndexOf("token=", StringComparison.Ordinal) + 6)..]));
    }

    private async Task<HttpResponseMessage> ManageAsync(string token, object change)
    {
        using var client = _host.CreateClient();
        return await client.PutAsJsonAsync($"/api/subscriptions/manage?token={Uri.EscapeDataString(token)}", change);
    }

    [SmtpSinkFact]
    public async Task A_linked_subscriber_gets_their_library_s_recommendations_with_the_reason_and_nobody_else_reaches_them()
    {
        var email = $"reader-{_run}@example.org";
        var (reader, token) = await SubscribeAsync(email);
        var (other, otherToken) = await SubscribeAsync($"other-{_run}@example.org");

        // Signed in, but the provider did not verify the address: no link, no "for you".
        using (var unverified = await SignInAsync(email, verified: false))
        {
            var refused = await ManageAsync(token, new { digest = "foryou" });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("digest", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        }

        // Verified (the same account signing in again): linked, once the event has reached Notifications.
        using var browser = await SignInAsync(email, verified: true);
        var papers = await browser.Api.GetFromJsonAsync<List<LocalHost.Item>>("/api/daily_papers?date=2025-11-07&limit=100");
        var topic = papers!.Where(p => p.Paper.Tags.Count > 0).GroupBy(p => p.Paper.Tags[0].Topic).OrderByDescending(g => g.Count()).First();
        var saved = topic.Take(3).Select(p => p.Paper).ToList();
        var created = await browser.Api.PostAsJsonAsync("/api/library/collections", new { name = "Reading <list>", isPublic = false });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var collection = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        foreach (var paper in saved)
            Assert.Equal(HttpStatusCode.OK, (await browser.Api.PutAsJsonAsync($"/api/library/collections/{collection}/papers/{paper.Id}", new { tags = Array.Empty<string>() })).StatusCode);
        await Eventually.UntilAsync(async () => (await ManageAsync(token, new { digest = "foryou", collection })).StatusCode, s => s == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the account's verified address to reach Notifications");
        // A collection that isn't the account's is refused by name.
        var foreign = await ManageAsync(token, new { digest = "foryou", collection = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Contains("collection", (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));

        // Hostile: another subscriber's manage token previews their own digest, never this library;
        // the internal endpoint is closed on the public port to anyone without the library key.
        var expected = await browser.Api.GetFromJsonAsync<JsonElement>($"/api/library/recommendations?collection={collection}&limit=10");
        var recommended = expected.EnumerateArray().Select(p => p.GetProperty("paperId").GetString()!).ToList();
        Assert.NotEmpty(recommended);
        using (var anonymous = _host.CreateClient())
        {
            var preview = await anonymous.GetFromJsonAsync<JsonElement>($"/api/subscriptions/preview?token={Uri.EscapeDataString(otherToken)}");
            Assert.DoesNotContain(preview.GetProperty("entries").EnumerateArray(), e => e.GetProperty("reason").GetString()!.Contains("saved paper", StringComparison.Ordinal));
            var account = await _host.QueryAsync<ApiDbContext, Guid>(db => db.Accounts.Where(a => a.Email == email).Select(a => a.Id).SingleAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/internal/accounts/{account}/for-you")).StatusCode);
            using var admin = await _host.KeyClientAsync();
            Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync($"/internal/accounts/{account}/for-you")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.Api.GetAsync($"/internal/accounts/{account}/for-you")).StatusCode);
        }

        using (var admin = await _host.KeyClientAsync())
            (await admin.PostAsync("/api/digests/run", null)).EnsureSuccessStatusCode();
        var mail = Assert.Single(await Eventually.UntilAsync(() => Task.FromResult(Sink(email).Where(m => m.MessageId?.StartsWith("digest.", StringComparison.Ordinal) == true).ToList()),
            m => m.Count > 0, TimeSpan.FromSeconds(30), "the digest in the SMTP sink"));
        var text = mail.TextBody!;
        // The digest is the library's "for you": its papers in its order, each with the saved papers it resembles.
        Assert.Equal(recommended, System.Text.RegularExpressions.Regex.Matches(text, @"/papers/(\S+)").Select(m => m.Groups[1].Value).ToList());
        Assert.Contains("Why: resembles your saved paper", text);
        Assert.Contains(saved, p => text.Contains($"“{p.Title}”", StringComparison.Ordinal));
        Assert.Contains(WebUtility.HtmlEncode("Why: resembles your saved paper"), mail.HtmlBody);
        Assert.DoesNotContain(Sink(other.Email), m => m.MessageId?.StartsWith("digest.", StringComparison.Ordinal) == true && m.TextBody!.Contains("saved paper", StringComparison.Ordinal));

        // Deleting the account: the address is untied, the subscription stays, paused with the reason.
        Assert.Equal(HttpStatusCode.NoContent, (await browser.Api.DeleteAsync("/api/account")).StatusCode);
        await Eventually.UntilAsync(() => _host.QueryAsync<NotificationsDbContext, bool>(db => db.AccountLinks.AnyAsync(l => l.Email == email)), linked => !linked,
            TimeSpan.FromSeconds(30), "the deletion to reach Notifications");
        var after = await _host.QueryAsync<NotificationsDbContext, Subscriber>(db => db.Subscribers.AsNoTracking().SingleAsync(s => s.Id == reader.Id));
        Assert.True(after.Active);
        Assert.NotNull(after.PausedAt);
        Assert.Contains("deleted", after.PausedReason, StringComparison.Ordinal);
    }
}
