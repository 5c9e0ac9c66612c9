using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Papers.Api.Tests;
using Xunit.Abstractions;

namespace Papers.EndToEnd.Tests.Web;

/// <summary>
/// Signing in, the library, "for you" and the account page in a real browser (Debian's Chromium):
/// sign-in goes through the real OpenID Connect provider on another site and comes back signed in
/// (the cookies survive the cross-site redirect), a hostile collection name and tag stay text,
/// privacy holds against another browser, and every page passes the axe-core check.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class AccountPagesTests(LocalHostFixture host, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string HostileName = "<img src=x onerror=window.__pwned=1> reading";
    private const string HostileTag = "<script>window.__pwned=2</script>";

    private async Task CheckAsync(WatchedPage watched, string name)
    {
        output.WriteLine($"screenshot {name}: {await watched.ScreenshotAsync(name)}");
        var problems = await watched.AccessibilityProblemsAsync();
        Assert.True(problems.Count == 0, $"{name}: " + string.Join("\n", problems));
        Assert.Null(await watched.Page.EvaluateAsync<int?>("window.__pwned ?? null"));
        Assert.Equal(0, await watched.Page.Locator("main img, main script, [onerror]").CountAsync());
        Assert.Empty(watched.CspViolations);
    }

    /// <summary>
    /// Clicks "Sign in" in the header, then "Continue" on the provider's own page (so the navigation
    /// back starts on the provider's site, as with a real one), and lands back here signed in.
    /// </summary>
    private async Task SignInAsync(IPage page, string subject)
    {
        host.Provider.User = new AccountsOidcProvider.Person(subject, $"{subject}@example.org", true);
        // The first sign-in reads the provider's metadata and warms both hosts: on a busy two-core machine that took over 30 s.
        var slow = TimeSpan.FromMinutes(2).TotalMilliseconds;
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Account" }).GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync(new() { Timeout = (float)slow });
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Sign in to Papers as {subject}?", new() { Timeout = (float)slow });
        Assert.Equal(host.Provider.Authority.Authority, new Uri(page.Url).Authority);
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue" }).ClickAsync(new() { Timeout = (float)slow });
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign out" })).ToBeVisibleAsync(new() { Timeout = (float)slow });
    }

    [Fact]
    public async Task A_reader_signs_in_keeps_a_library_sees_what_is_for_them_and_deletes_the_account()
    {
        await using var watched = await browser.NewPageAsync(host.SiteAddress);
        var page = watched.Page;

        // Signed out on a paper's page: sign in there, through the provider's own page.
        await page.GotoAsync("/");
        var papers = await page.Locator("main article.card h2 a").EvaluateAllAsync<string[]>("links => links.slice(0, 3).map(a => a.getAttribute('href'))");
        await page.GotoAsync(papers[0]);
        await Assertions.Expect(page.Locator("section#library")).ToHaveCountAsync(0);
        await SignInAsync(page, "reader");
        // Straight back from the provider's site, on the page sign-in started from, signed in: the
        // cookie set by the cross-site callback came with the redirect after it (SameSite Lax).
        Assert.EndsWith(papers[0], new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        var visitor = (await page.Context.CookiesAsync()).Single(c => c.Name == "papers.visitor");
        Assert.Equal(SameSiteAttribute.Lax, visitor.SameSite);
        Assert.True(visitor.HttpOnly);

        // On that very page (its antiforgery field issued on the cross-site landing), save the paper
        // into a new collection with a hostile name and tag.
        var library = page.Locator("section#library");
        await library.GetByLabel("New collection").FillAsync(HostileName);
        await library.GetByLabel("Tags, comma-separated").FillAsync(HostileTag + ", halo");
        await library.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(library.Locator(".saved-in li")).ToContainTextAsync("Saved in " + HostileName);
        await CheckAsync(watched, "paper-saved");
        foreach (var other in papers[1..])
        {
            await page.GotoAsync(other);
            await library.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Assertions.Expect(library.Locator(".saved-in li")).ToHaveCountAsync(1);
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Library", Exact = true }).ClickAsync();
        var collection = page.GetByRole(AriaRole.Link, new() { Name = HostileName });
        await Assertions.Expect(collection).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("ul.collections li")).ToContainTextAsync("private · 3 papers");
        await CheckAsync(watched, "library");
        await collection.ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(HostileName + " private");
        await Assertions.Expect(page.Locator("ul.saved > li")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("ul.saved .tag").Filter(new() { HasText = HostileTag })).ToHaveCountAsync(1);
        await CheckAsync(watched, "collection");
        var collectionUrl = page.Url;

        // Private: another browser (signed out) finds nothing there; public: it reads it.
        await using (var stranger = await browser.NewPageAsync(host.SiteAddress))
        {
            Assert.Equal((int)HttpStatusCode.NotFound, (await stranger.Page.GotoAsync(collectionUrl))!.Status);
            await page.GetByRole(AriaRole.Button, new() { Name = "Make public" }).ClickAsync();
            await Assertions.Expect(page.Locator("h1 small")).ToHaveTextAsync("public");
            Assert.Equal((int)HttpStatusCode.OK, (await stranger.Page.GotoAsync(collectionUrl))!.Status);
            await Assertions.Expect(stranger.Page.Locator("h1")).ToContainTextAsync(HostileName);
            await Assertions.Expect(stranger.Page.GetByRole(AriaRole.Button, new() { Name = "Make private" })).ToHaveCountAsync(0);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove" }).First.ClickAsync();
        await Assertions.Expect(page.Locator("ul.saved > li")).ToHaveCountAsync(2);

        // For you: recent papers, each naming the saved papers it resembles, linking to their pages.
        await page.GetByRole(AriaRole.Link, new() { Name = "For you", Exact = true }).ClickAsync();
        var picks = page.Locator("ol.for-you > li");
        await Assertions.Expect(picks).Not.ToHaveCountAsync(0);
        await Assertions.Expect(picks.First.Locator("p.resembles")).ToContainTextAsync("resembles:");
        await Assertions.Expect(picks.First.Locator("a").First).ToHaveAttributeAsync("href", new Regex("^/papers/"));
        await Assertions.Expect(picks.First.Locator("p.resembles a").First).ToHaveAttributeAsync("href", new Regex("^/papers/"));
        await CheckAsync(watched, "for-you");
        await page.GetByRole(AriaRole.Link, new() { Name = HostileName }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("For you: " + HostileName);

        // The account page: data download, a feed token that works until it is revoked.
        await page.GetByRole(AriaRole.Link, new() { Name = "Account", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download my data" })).ToHaveAttributeAsync("href", "/api/account/export");
        var data = await page.Context.APIRequest.GetAsync("/api/account/export");
        var exported = System.Text.Json.JsonDocument.Parse(await data.TextAsync()).RootElement;
        Assert.Equal(HostileName, exported.GetProperty("collections")[0].GetProperty("name").GetString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Make a feed token" }).ClickAsync();
        var atom = new Uri(await page.Locator(".feed-links code").First.InnerTextAsync());
        await CheckAsync(watched, "account");
        using var reader = new HttpClient { BaseAddress = host.Address };
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(atom.PathAndQuery)).StatusCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke the feed token" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync(atom.PathAndQuery)).StatusCode);

        // Deleting asks first, then the account and its library are gone and the browser is signed out.
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete my account…" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Delete your account?");
        await CheckAsync(watched, "delete-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Your account was deleted");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Equal((int)HttpStatusCode.NotFound, (await page.GotoAsync(collectionUrl))!.Status);
        Assert.Equal((int)HttpStatusCode.Unauthorized, (await page.GotoAsync("/library"))!.Status);
        Assert.Empty(watched.Errors);
    }

    [Fact]
    public async Task Signing_out_asks_first_and_leaves_the_browser_signed_out()
    {
        await using var watched = await browser.NewPageAsync(host.SiteAddress);
        var page = watched.Page;
        await page.GotoAsync("/");
        await SignInAsync(page, "leaver");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/$"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Sign out?");
        await CheckAsync(watched, "signout-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Library", Exact = true })).ToHaveCountAsync(0);
    }
}
