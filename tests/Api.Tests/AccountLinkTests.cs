using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Papers.Api.Data;
using Papers.Contracts;
using Papers.ServiceDefaults.Outbox;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Tests;

/// <summary>
/// What the Api tells Notifications about accounts (the address a provider verified, a deletion),
/// and the internal endpoint a "for you" digest reads a library through: only Notifications' key
/// (scope <c>library</c>) opens it; no one else's credentials do, an admin's included.
/// </summary>
public sealed class AccountLinkTests : IAsyncLifetime
{
    private AccountsOidcProvider _provider = null!;
    private ApiHost _api = null!;

    public async Task InitializeAsync()
    {
        _provider = await AccountsOidcProvider.StartAsync();
        _api = new ApiHost(_provider.ApiSettings());
        await AccountsTests.SeedAsync(_api);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _provider.DisposeAsync();
    }

    private async Task<(SignInBrowser Browser, Guid Account)> SignedInAsync(string subject, string email, bool verified)
    {
        _provider.User = new AccountsOidcProvider.Person(subject, email, verified);
        var browser = new SignInBrowser(_api.CreateClient(SignInBrowser.Options()), _provider);
        await browser.SessionAsync();
        await browser.SignInAsync();
        var account = (await browser.Api.GetFromJsonAsync<JsonElement>("/api/account")).GetProperty("id").GetGuid();
        return (browser, account);
    }

    private async Task<List<T>> OutboxAsync<T>()
    {
        await using var scope = _api.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ApiDbContext>().Set<OutboxMessage>()
            .Where(m => m.MessageType == typeof(T).FullName).OrderBy(m => m.Id).Select(m => m.Body).ToListAsync();
        return [.. rows.Select(b => JsonSerializer.Deserialize<T>(b)!)];
    }

    [Fact]
    public async Task Only_an_address_the_provider_verified_is_announced_and_a_deletion_unties_it()
    {
        var (bob, bobAccount) = await SignedInAsync("bob", "bob@example.org", verified: false);
        bob.Dispose();
        Assert.DoesNotContain(await OutboxAsync<AccountEmailChanged>(), e => e.AccountId == bobAccount);

        var (ada, adaAccount) = await SignedInAsync("ada", "ada@example.org", verified: true);
        var announced = Assert.Single(await OutboxAsync<AccountEmailChanged>());
        Assert.Equal((adaAccount, "ada@example.org"), (announced.AccountId, announced.VerifiedEmail));

        // The provider stops vouching for the address: Notifications is told to drop the link.
        _provider.User = new AccountsOidcProvider.Person("ada", "ada@example.org", false);
        await ada.SignInAsync();
        Assert.Equal([(adaAccount, "ada@example.org"), (adaAccount, null)],
            (await OutboxAsync<AccountEmailChanged>()).Select(e => (e.AccountId, e.VerifiedEmail)));

        Assert.Equal(HttpStatusCode.NoContent, (await ada.Api.DeleteAsync("/api/account")).StatusCode);
        Assert.Equal(adaAccount, Assert.Single(await OutboxAsync<AccountDeleted>()).AccountId);
        ada.Dispose();
    }

    [Fact]
    public async Task The_internal_library_endpoint_opens_only_to_the_library_key_and_only_for_that_account()
    {
        var (ada, adaAccount) = await SignedInAsync("ada", "ada@example.org", verified: true);
        var (bob, bobAccount) = await SignedInAsync("bob", "bob@example.org", verified: true);
        var created = await ada.Api.PostAsJsonAsync("/api/library/collections", new { name = "Galaxies", isPublic = false });
        var galaxies = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        foreach (var paper in new[] { "2611.10000", "2611.10002", "2611.10004" })
            Assert.Equal(HttpStatusCode.OK, (await ada.Api.PutAsJsonAsync($"/api/library/collections/{galaxies}/papers/{paper}", new { tags = Array.Empty<string>() })).StatusCode);
        var path = $"/internal/accounts/{adaAccount}/for-you?collection={galaxies}&limit=3";

        // Nobody but the digest service: anonymous, the account itself, another account, an admin, a member.
        using var anonymous = _api.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ada.Api.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Api.GetAsync(path)).StatusCode);
        foreach (var scopes in new[] { new[] { Scopes.Admin }, [Scopes.Vote, Scopes.Submit], [] })
        {
            using var other = await KeyClientAsync(scopes);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/internal/accounts/{adaAccount}/collections")).StatusCode);
        }

        using var digests = await KeyClientAsync([Scopes.Library]);
        var picks = await digests.GetFromJsonAsync<JsonElement>(path);
        Assert.Equal(3, picks.GetArrayLength());
        Assert.All(picks.EnumerateArray(), p =>
        {
            Assert.Equal(0, int.Parse(p.GetProperty("paperId").GetString()!.Split('.')[1]) % 2); // galaxy papers are the even ones
            Assert.Contains(p.GetProperty("resembles").EnumerateArray(), r => r.GetProperty("title").GetString()!.Length > 0);
        });
        var collections = await digests.GetFromJsonAsync<JsonElement>($"/internal/accounts/{adaAccount}/collections");
        Assert.Equal("Galaxies", Assert.Single(collections.EnumerateArray()).GetProperty("name").GetString());

        // Ada's collection asked for as Bob's, an unknown account, a bad limit: named problems, no data.
        Assert.Equal(HttpStatusCode.NotFound, (await digests.GetAsync($"/internal/accounts/{bobAccount}/for-you?collection={galaxies}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await digests.GetAsync($"/internal/accounts/{Guid.NewGuid()}/for-you")).StatusCode);
        var bad = await digests.GetAsync($"/internal/accounts/{adaAccount}/for-you?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("limit", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        ada.Dispose();
        bob.Dispose();
    }

    private async Task<HttpClient> KeyClientAsync(string[] scopes)
    {
        var issued = await _api.Services.GetRequiredService<ApiKeyStore>().IssueAsync($"test {Guid.NewGuid():N}", scopes, 1_000_000, default);
        var client = _api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.Key);
        return client;
    }
}
