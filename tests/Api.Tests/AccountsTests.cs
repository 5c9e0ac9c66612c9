using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Papers.Api.Data;
using Papers.TestSupport;

namespace Papers.Api.Tests;

/// <summary>
/// Accounts end to end: sign-in through a real OpenID Connect provider (authorization code + PKCE
/// over HTTP), then the library, its privacy between two accounts, import and export, "for you"
/// and its private feed, and deleting the account.
/// </summary>
public sealed class AccountsTests : IAsyncLifetime
{
    private readonly bool _onPostgres;
    private readonly List<IAsyncDisposable> _databases = [];
    private AccountsOidcProvider _provider = null!;
    private ApiHost _api = null!;

    public AccountsTests()
    {
    }

    /// <summary>The scenarios on fresh PostgreSQL databases (the Api's and the identity store's, migrated by their checked-in migrations).</summary>
    internal AccountsTests(bool onPostgres) => _onPostgres = onPostgres;

    public async Task InitializeAsync()
    {
        _provider = await AccountsOidcProvider.StartAsync();
        var settings = _provider.ApiSettings();
        if (_onPostgres)
        {
            var api = await PostgresTestDatabase<ApiDbContext>.CreateAsync();
            var identity = await PostgresTestDatabase<Papers.ServiceDefaults.Security.AccessDbContext>.CreateAsync();
            _databases.AddRange([api, identity]);
            settings["Database:Provider"] = "Postgres";
            settings["ConnectionStrings:Api"] = api.ConnectionString;
            settings["ConnectionStrings:Identity"] = identity.ConnectionString;
        }
        _api = new ApiHost(settings);
        await SeedAsync(_api);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _provider.DisposeAsync();
        foreach (var database in _databases)
            await database.DisposeAsync();
    }

    /// <summary>Two topics of papers: "galaxy" ones and "parser" ones, each embedded near its own axis.</summary>
    internal static async Task SeedAsync(ApiHost api)
    {
        var rows = new List<object>();
        for (var i = 0; i < 40; i++)
        {
            var topic = i % 2;
            var id = $"2611.{10000 + i}";
            var words = topic == 0 ? "galaxy cluster dark matter halo survey" : "parser grammar syntax tree language";
            rows.Add(new PaperRecord
            {
                PaperId = id,
                Version = 1,
                Title = $"On {words.Split(' ')[i % 5]} number {i}",
                Abstract = $"We study {words} in depth, case {i}.",
                Source = "file",
                ContentHash = "h" + id,
                ListedOn = new DateOnly(2026, 11, 20 + i % 10),
                UpdatedAt = DateTime.UtcNow,
                Categories = [topic == 0 ? "astro-ph.GA" : "cs.CL"],
                PrimaryCategory = topic == 0 ? "astro-ph.GA" : "cs.CL",
            });
            var vector = new float[8];
            vector[topic] = 1;
            vector[2 + i % 6] = 0.3f;
            rows.Add(new EnrichmentRecord { PaperId = id, Version = 1, ContentHash = "h" + id, Embedding = vector, EmbeddingModel = "test-model", UpdatedAt = DateTime.UtcNow });
        }
        await api.SeedRowsAsync([.. rows]);
    }

    private SignInBrowser SignedOut() => new(_api.CreateClient(SignInBrowser.Options()), _provider);

    private async Task<SignInBrowser> SignedInAsync(string subject, string email, bool verified)
    {
        _provider.User = new AccountsOidcProvider.Person(subject, email, verified);
        var browser = SignedOut();
        await browser.SessionAsync();
        await browser.SignInAsync();
        return browser;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> CreateCollectionAsync(SignInBrowser who, string name, bool isPublic)
    {
        var created = await who.Api.PostAsJsonAsync("/api/library/collections", new { name, isPublic });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Signing_in_makes_an_account_whose_email_counts_only_when_the_provider_verified_it()
    {
        using var verified = await SignedInAsync("ada", "ada@example.org", verified: true);
        var ada = await verified.Api.GetFromJsonAsync<JsonElement>("/api/account");
        Assert.Equal("ada@example.org", ada.GetProperty("email").GetString());
        Assert.True(ada.GetProperty("emailVerified").GetBoolean());

        using var unverified = await SignedInAsync("bob", "bob@example.org", verified: false);
        var bob = await unverified.Api.GetFromJsonAsync<JsonElement>("/api/account");
        Assert.False(bob.GetProperty("emailVerified").GetBoolean());
        Assert.NotEqual(ada.GetProperty("id").GetString(), bob.GetProperty("id").GetString());

        // The same person signing in again (another browser) is the same account.
        using var again = await SignedInAsync("ada", "ada@example.org", verified: true);
        Assert.Equal(ada.GetProperty("id").GetString(), (await again.Api.GetFromJsonAsync<JsonElement>("/api/account")).GetProperty("id").GetString());

        // Without a session there is no account API, and a wrong callback is refused.
        using var stranger = SignedOut();
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.Api.GetAsync("/api/account")).StatusCode);
        await ProblemAsync(await stranger.Api.GetAsync("/signin-oidc?code=forged&state=forged"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_provider_sends_the_browser_back_to_the_configured_callback_path()
    {
        _provider.RedirectUri = "http://localhost/auth/return";
        using var api = new ApiHost(new Dictionary<string, string?>(_provider.ApiSettings()) { ["Accounts:Oidc:CallbackPath"] = "/auth/return" });
        using var browser = new SignInBrowser(api.CreateClient(SignInBrowser.Options()), _provider);
        await browser.SessionAsync();
        await browser.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, (await browser.Api.GetAsync("/api/account")).StatusCode);
        // The default path is not a callback any more.
        Assert.Equal(HttpStatusCode.NotFound, (await browser.Api.GetAsync("/signin-oidc?code=x&state=y")).StatusCode);
    }

    [Fact]
    public async Task Votes_cast_before_signing_in_are_not_counted_twice()
    {
        const string paper = "2611.10003";
        async Task<int> UpvotesAsync()
        {
            await using var scope = _api.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ApiDbContext>().Papers.Where(p => p.PaperId == paper).Select(p => p.LocalUpvotes).SingleAsync();
        }

        // Two browsers of one person vote for the same paper anonymously, then both sign in.
        using var laptop = SignedOut();
        await laptop.SessionAsync();
        Assert.True((await laptop.Api.PostAsync($"/api/papers/{paper}/upvote", null)).IsSuccessStatusCode);
        using var phone = SignedOut();
        await phone.SessionAsync();
        Assert.True((await phone.Api.PostAsync($"/api/papers/{paper}/upvote", null)).IsSuccessStatusCode);
        Assert.Equal(2, await UpvotesAsync());

        _provider.User = new AccountsOidcProvider.Person("carol", "carol@example.org", true);
        await laptop.SignInAsync();
        await phone.SignInAsync();
        Assert.Equal(1, await UpvotesAsync());

        // The dropped duplicate goes out as a withdrawal (through the outbox, which the relay publishes), so counts downstream follow.
        var withdrawn = await Eventually.UntilAsync(async () =>
        {
            await using var scope = _api.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ApiDbContext>().Set<Papers.ServiceDefaults.Outbox.OutboxMessage>()
                .Where(m => m.MessageType == typeof(Papers.Contracts.PaperUpvoteWithdrawn).FullName).ToListAsync();
        }, rows => rows.Count == 1 && rows[0].SentAt is not null, TimeSpan.FromSeconds(30), "the withdrawal of the duplicate vote to be published");
        var message = JsonSerializer.Deserialize<Papers.Contracts.PaperUpvoteWithdrawn>(withdrawn[0].Body)!;
        Assert.Equal((paper, 1), (message.PaperId, message.Upvotes));
        Assert.StartsWith("v-", message.VoterId, StringComparison.Ordinal);

        // Signed in, voting again changes nothing.
        var vote = await (await phone.Api.PostAsync($"/api/papers/{paper}/upvote", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(vote.GetProperty("counted").GetBoolean());
        Assert.Equal(1, await UpvotesAsync());
    }

    [Fact]
    public async Task Private_collections_are_never_readable_by_others()
    {
        using var ada = await SignedInAsync("ada", "ada@example.org", true);
        using var bob = await SignedInAsync("bob", "bob@example.org", true);
        using var anonymous = SignedOut();
        var secret = await CreateCollectionAsync(ada, "<script>alert(1)</script> secret", isPublic: false);
        var shared = await CreateCollectionAsync(ada, "Reading group", isPublic: true);
        var saved = await ada.Api.PutAsJsonAsync($"/api/library/collections/{secret}/papers/2611.10000", new { tags = new[] { "<b>dark</b>", "halo" } });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ada.Api.PutAsJsonAsync($"/api/library/collections/{shared}/papers/2611.10002", new { tags = Array.Empty<string>() })).StatusCode);

        // The owner sees both, names and tags exactly as typed (text, not markup).
        var own = await ada.Api.GetFromJsonAsync<JsonElement>($"/api/collections/{secret}");
        Assert.Equal("<script>alert(1)</script> secret", own.GetProperty("name").GetString());
        Assert.Equal(["<b>dark</b>", "halo"], own.GetProperty("papers")[0].GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(2, (await ada.Api.GetFromJsonAsync<JsonElement>("/api/library/collections")).GetArrayLength());

        // Another account and an anonymous caller: the private one does not exist, the public one does.
        foreach (var other in new[] { bob, anonymous })
        {
            await ProblemAsync(await other.Api.GetAsync($"/api/collections/{secret}"), HttpStatusCode.NotFound);
            await ProblemAsync(await other.Api.GetAsync($"/api/collections/{secret}/export?format=bibtex"), HttpStatusCode.NotFound);
            Assert.Equal(HttpStatusCode.OK, (await other.Api.GetAsync($"/api/collections/{shared}")).StatusCode);
        }
        Assert.Equal(0, (await bob.Api.GetFromJsonAsync<JsonElement>("/api/library/collections")).GetArrayLength());
        // ... nor can it be changed by them.
        await ProblemAsync(await bob.Api.PutAsJsonAsync($"/api/library/collections/{secret}/papers/2611.10001", new { tags = Array.Empty<string>() }), HttpStatusCode.NotFound);
        await ProblemAsync(await bob.Api.PatchAsJsonAsync($"/api/library/collections/{secret}", new { isPublic = true }), HttpStatusCode.NotFound);
        await ProblemAsync(await bob.Api.DeleteAsync($"/api/library/collections/{shared}"), HttpStatusCode.NotFound);
        await ProblemAsync(await bob.Api.PostAsync($"/api/library/collections/{secret}/import", new StringContent("2611.10001")), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Api.PostAsJsonAsync("/api/library/collections", new { name = "x" })).StatusCode);
        Assert.Single((await ada.Api.GetFromJsonAsync<JsonElement>($"/api/collections/{secret}")).GetProperty("papers").EnumerateArray());

        // Made public by its owner, it is readable.
        Assert.Equal(HttpStatusCode.OK, (await ada.Api.PatchAsJsonAsync($"/api/library/collections/{secret}", new { isPublic = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.Api.GetAsync($"/api/collections/{secret}")).StatusCode);
    }

    [Fact]
    public async Task Pages_write_names_and_tags_as_text_and_their_forms_need_the_antiforgery_field()
    {
        using var ada = await SignedInAsync("ada", "ada@example.org", true);
        var id = await CreateCollectionAsync(ada, "<img src=x onerror=alert(1)> mine", false);
        await ada.Api.PutAsJsonAsync($"/api/library/collections/{id}/papers/2611.10000", new { tags = new[] { "<script>alert(2)</script>" } });
        foreach (var path in new[] { "/library", $"/library/{id}", "/papers/2611.10000", "/for-you" })
        {
            var html = await ada.Api.GetStringAsync(path);
            Assert.Contains("&lt;img src=x onerror=alert(1)&gt; mine", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.Contains("href=\"/account/signout\"", html, StringComparison.Ordinal);
        }
        Assert.Contains("&lt;script&gt;alert(2)&lt;/script&gt;", await ada.Api.GetStringAsync($"/library/{id}"), StringComparison.Ordinal);

        // A form posted without the antiforgery field (from another site's page, say) changes nothing.
        ada.Api.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        var forged = await ada.Api.PostAsync($"/library/{id}", new FormUrlEncodedContent(new Dictionary<string, string> { ["do"] = "delete" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        forged = await ada.Api.PostAsync("/account/delete", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ada.Api.GetAsync("/api/account")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ada.Api.GetAsync($"/library/{id}")).StatusCode);

        // Someone else's private collection is no page at all; signed out, the library asks to sign in.
        using var bob = await SignedInAsync("bob", "bob@example.org", true);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Api.GetAsync($"/library/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Api.GetAsync($"/for-you?collection={id}")).StatusCode);
        using var stranger = SignedOut();
        var library = await stranger.Api.GetAsync("/library");
        Assert.Equal(HttpStatusCode.Unauthorized, library.StatusCode);
        Assert.Contains("href=\"/account/signin?returnUrl=%2Flibrary\"", await library.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_provider_the_pages_offer_no_sign_in()
    {
        using var api = new ApiHost(new Dictionary<string, string?>());
        using var client = api.CreateClient();
        var home = await client.GetStringAsync("/topics");
        Assert.DoesNotContain("/account/signin", home, StringComparison.Ordinal);
        Assert.DoesNotContain("aria-label=\"Account\"", home, StringComparison.Ordinal);
        var library = await client.GetAsync("/library");
        Assert.Equal(HttpStatusCode.NotFound, library.StatusCode);
        Assert.Contains("Sign-in is not configured", await library.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_writes_need_the_antiforgery_token_and_bad_input_is_named()
    {
        using var ada = await SignedInAsync("ada", "ada@example.org", true);
        ada.Api.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        await ProblemAsync(await ada.Api.PostAsJsonAsync("/api/library/collections", new { name = "no token" }), HttpStatusCode.BadRequest);
        await ada.SessionAsync();

        var problem = await ProblemAsync(await ada.Api.PostAsJsonAsync("/api/library/collections", new { name = new string('n', 101) }), HttpStatusCode.BadRequest);
        Assert.Equal("name", problem.GetProperty("field").GetString());
        var id = await CreateCollectionAsync(ada, "Mine", false);
        problem = await ProblemAsync(await ada.Api.PutAsJsonAsync($"/api/library/collections/{id}/papers/2611.10000", new { tags = Enumerable.Range(0, 21).Select(i => $"t{i}") }), HttpStatusCode.BadRequest);
        Assert.Equal("tags", problem.GetProperty("field").GetString());
        await ProblemAsync(await ada.Api.PutAsJsonAsync($"/api/library/collections/{id}/papers/9999.99999", new { tags = Array.Empty<string>() }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Imports_are_bounded_and_exports_round_trip()
    {
        using var ada = await SignedInAsync("ada", "ada@example.org", true);
        var id = await CreateCollectionAsync(ada, "Imported", false);

        var ids = await ada.Api.PostAsync($"/api/library/collections/{id}/import", new StringContent("2611.10000, 2611.10001\n2611.10001 2501.00001"));
        var result = await ids.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["2611.10000", "2611.10001"], result.GetProperty("saved").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.Equal(["2501.00001"], result.GetProperty("notFound").EnumerateArray().Select(e => e.GetString()));

        const string bib = "@article{smith2026, title={Halo}, eprint={2611.10004}, archivePrefix={arXiv}}\n@misc{x, url={https://arxiv.org/abs/2611.10006v2}}\n@book{nokey, title={A book}}";
        result = await (await ada.Api.PostAsync($"/api/library/collections/{id}/import", new StringContent(bib))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["2611.10004", "2611.10006"], result.GetProperty("saved").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.Equal(["nokey"], result.GetProperty("unrecognised").EnumerateArray().Select(e => e.GetString()));

        var problem = await ProblemAsync(await ada.Api.PostAsync($"/api/library/collections/{id}/import", new StringContent("2611.10000 not-an-id")), HttpStatusCode.BadRequest);
        Assert.Contains("not-an-id", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var tooMany = string.Join(' ', Enumerable.Range(1, 501).Select(i => $"2611.{20000 + i}"));
        await ProblemAsync(await ada.Api.PostAsync($"/api/library/collections/{id}/import", new StringContent(tooMany)), HttpStatusCode.RequestEntityTooLarge);
        await ProblemAsync(await ada.Api.PostAsync($"/api/library/collections/{id}/import", new StringContent(new string(' ', 300 * 1024) + "2611.10000")), HttpStatusCode.RequestEntityTooLarge);

        var bibtex = await ada.Api.GetStringAsync($"/api/collections/{id}/export?format=bibtex");
        Assert.Equal(4, bibtex.Split("@misc{").Length - 1);
        Assert.Contains("eprint = {2611.10004}", bibtex, StringComparison.Ordinal);
        var json = await ada.Api.GetFromJsonAsync<JsonElement>($"/api/collections/{id}/export?format=json");
        Assert.Equal(4, json.GetProperty("papers").GetArrayLength());
        await ProblemAsync(await ada.Api.GetAsync($"/api/collections/{id}/export?format=docx"), HttpStatusCode.BadRequest);

        // What was exported imports again into a new collection.
        var copy = await CreateCollectionAsync(ada, "Copy", false);
        result = await (await ada.Api.PostAsync($"/api/library/collections/{copy}/import", new StringContent(bibtex))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(4, result.GetProperty("saved").GetArrayLength());
    }

    private static int Number(JsonElement pick) =>
        int.Parse(pick.GetProperty("paperId").GetString()!.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task For_you_learns_from_the_library_says_why_and_has_a_revocable_private_feed()
    {
        using var ada = await SignedInAsync("ada", "ada@example.org", true);
        var id = await CreateCollectionAsync(ada, "Galaxies", false);
        foreach (var paper in new[] { "2611.10000", "2611.10002", "2611.10004" })
            await ada.Api.PutAsJsonAsync($"/api/library/collections/{id}/papers/{paper}", new { tags = Array.Empty<string>() });

        // The candidates are the last 3 listing days' papers: 4 galaxy papers among them, none saved.
        var picks = await ada.Api.GetFromJsonAsync<JsonElement>($"/api/library/recommendations?collection={id}&limit=4");
        Assert.Equal(4, picks.GetArrayLength());
        foreach (var pick in picks.EnumerateArray())
        {
            // Galaxy papers are the even ones; saved papers are never recommended back.
            var number = Number(pick);
            Assert.Equal(0, number % 2);
            Assert.DoesNotContain(number, new[] { 10000, 10002, 10004 });
            Assert.NotEmpty(pick.GetProperty("resembles").EnumerateArray());
        }

        // The library changes: the model follows (parser papers now).
        var parsers = await CreateCollectionAsync(ada, "Parsers", false);
        foreach (var paper in new[] { "2611.10001", "2611.10003", "2611.10005" })
            await ada.Api.PutAsJsonAsync($"/api/library/collections/{parsers}/papers/{paper}", new { tags = Array.Empty<string>() });
        picks = await ada.Api.GetFromJsonAsync<JsonElement>($"/api/library/recommendations?collection={parsers}&limit=3");
        Assert.All(picks.EnumerateArray(), p => Assert.Equal(1, Number(p) % 2));

        using var bob = await SignedInAsync("bob", "bob@example.org", true);
        await ProblemAsync(await bob.Api.GetAsync($"/api/library/recommendations?collection={id}"), HttpStatusCode.NotFound);
        await ProblemAsync(await ada.Api.GetAsync("/api/library/recommendations?limit=0"), HttpStatusCode.BadRequest);

        var token = await (await ada.Api.PostAsync("/api/account/feed-token", null)).Content.ReadFromJsonAsync<JsonElement>();
        using var reader = SignedOut();
        var atom = await reader.Api.GetAsync(new Uri(token.GetProperty("atom").GetString()!).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, atom.StatusCode);
        Assert.Contains("private", atom.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Contains("<entry>", await atom.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await reader.Api.GetAsync(new Uri(token.GetProperty("rss").GetString()!).PathAndQuery)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await ada.Api.DeleteAsync("/api/account/feed-token")).StatusCode);
        await ProblemAsync(await reader.Api.GetAsync(new Uri(token.GetProperty("atom").GetString()!).PathAndQuery), HttpStatusCode.Unauthorized);
        await ProblemAsync(await reader.Api.GetAsync("/api/library/feed?token=ft_guess"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Deleting_the_account_removes_its_data_and_its_link_to_the_voter_id()
    {
        using var ada = await SignedInAsync("ada", "ada@example.org", true);
        var id = await CreateCollectionAsync(ada, "Mine", true);
        await ada.Api.PutAsJsonAsync($"/api/library/collections/{id}/papers/2611.10000", new { tags = new[] { "keep" } });
        await ada.Api.PostAsync("/api/papers/2611.10001/upvote", null);

        var data = await ada.Api.GetFromJsonAsync<JsonElement>("/api/account/export");
        var voter = data.GetProperty("voterId").GetString()!;
        Assert.Equal(["2611.10001"], data.GetProperty("upvoted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("keep", data.GetProperty("collections")[0].GetProperty("papers")[0].GetProperty("tags")[0].GetString());

        using var tablet = await SignedInAsync("ada", "ada@example.org", true); // the same account in another browser

        Assert.Equal(HttpStatusCode.NoContent, (await ada.Api.DeleteAsync("/api/account")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ada.Api.GetAsync("/api/account")).StatusCode);
        // The other browser still holds the account's cookie: its feed-token calls hear the account is gone.
        await ProblemAsync(await tablet.Api.PostAsync("/api/account/feed-token", null), HttpStatusCode.NotFound);
        await ProblemAsync(await tablet.Api.DeleteAsync("/api/account/feed-token"), HttpStatusCode.NotFound);
        await ProblemAsync(await ada.Api.GetAsync($"/api/collections/{id}"), HttpStatusCode.NotFound);
        await using var scope = _api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        Assert.False(await db.Accounts.AnyAsync(a => a.VoterId == voter));
        Assert.Equal(0, await db.SavedPapers.CountAsync());
        Assert.True(await db.Votes.AnyAsync(v => v.VoterId == voter)); // the vote stays, tied to no one

        // Signing in again makes a new, empty account.
        using var back = await SignedInAsync("ada", "ada@example.org", true);
        Assert.Equal(0, (await back.Api.GetFromJsonAsync<JsonElement>("/api/library/collections")).GetArrayLength());
    }

    [Fact]
    public async Task An_accounts_rate_limits_follow_it_across_browsers()
    {
        using var api = new ApiHost(new Dictionary<string, string?>(_provider.ApiSettings())
        {
            ["RateLimits:Enabled"] = "true",
            ["RateLimits:AnonymousReadsPerMinute"] = "30",
            ["RateLimits:Window"] = "00:10:00",
        });
        _provider.User = new AccountsOidcProvider.Person("dora", "dora@example.org", true);
        using var laptop = new SignInBrowser(api.CreateClient(SignInBrowser.Options()), _provider);
        await laptop.SessionAsync();
        await laptop.SignInAsync();
        using var phone = new SignInBrowser(api.CreateClient(SignInBrowser.Options()), _provider);
        await phone.SessionAsync();
        await phone.SignInAsync();

        var reads = 0;
        while ((await laptop.Api.GetAsync("/api/account")).StatusCode == HttpStatusCode.OK)
            Assert.True(++reads <= 30, "the laptop was never limited");
        // The phone is the same account: its budget is spent too; an anonymous browser at the same address still reads.
        await ProblemAsync(await phone.Api.GetAsync("/api/account"), HttpStatusCode.TooManyRequests);
        using var anonymous = new SignInBrowser(api.CreateClient(SignInBrowser.Options()), _provider);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await anonymous.Api.GetAsync("/api/stats")).StatusCode);
    }
}

/// <summary>
/// The accounts on PostgreSQL, as a cluster runs them: sign-in, the library's writes and privacy
/// between two accounts, folding votes at sign-in, and deleting the account (a representative
/// subset of <see cref="AccountsTests"/>, whose scenarios these run).
/// </summary>
public sealed class AccountsPostgresTests : IAsyncLifetime
{
    private readonly AccountsTests _scenarios = new(onPostgres: true);

    public Task InitializeAsync() => _scenarios.InitializeAsync();

    public Task DisposeAsync() => _scenarios.DisposeAsync();

    [PostgresFact]
    public Task Signing_in_makes_an_account() => _scenarios.Signing_in_makes_an_account_whose_email_counts_only_when_the_provider_verified_it();

    [PostgresFact]
    public Task Votes_cast_before_signing_in_are_not_counted_twice() => _scenarios.Votes_cast_before_signing_in_are_not_counted_twice();

    [PostgresFact]
    public Task Private_collections_are_never_readable_by_others() => _scenarios.Private_collections_are_never_readable_by_others();

    [PostgresFact]
    public Task Cookie_writes_need_the_antiforgery_token_and_bad_input_is_named() => _scenarios.Cookie_writes_need_the_antiforgery_token_and_bad_input_is_named();

    [PostgresFact]
    public Task Deleting_the_account_removes_its_data_and_its_link_to_the_voter_id() => _scenarios.Deleting_the_account_removes_its_data_and_its_link_to_the_voter_id();
}
